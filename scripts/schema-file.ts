import { fileURLToPath } from 'node:url';
import { printSchema } from 'graphql';
import { schema } from '../src/resolvers/index.js';

/** Where the served schema is committed, for clients to generate types from offline and for review to see API changes. */
export const SCHEMA_FILE = fileURLToPath(new URL('../schema.graphql', import.meta.url));

/** The served schema as SDL (already sorted), with the header the committed file carries. */
export function schemaSdl(): string {
  return `# The schema this server serves: written by \`npm run schema\`; a test fails when it drifts from the code.\n\n${printSchema(schema)}\n`;
}

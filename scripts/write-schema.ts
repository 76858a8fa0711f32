/** `npm run schema`: writes the served schema to schema.graphql at the repository root. */
import fs from 'node:fs';
import { SCHEMA_FILE, schemaSdl } from './schema-file.js';

fs.writeFileSync(SCHEMA_FILE, schemaSdl());
process.stdout.write(`wrote ${SCHEMA_FILE}\n`);

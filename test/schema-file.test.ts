import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SCHEMA_FILE, schemaSdl } from '../scripts/schema-file.js';

describe('schema.graphql', () => {
  it('is the schema the server serves (run `npm run schema` after changing the API, and review the diff)', () => {
    expect(fs.readFileSync(SCHEMA_FILE, 'utf8')).toBe(schemaSdl());
  });
});

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLIENT_TARGETS } from '../scripts/codegen/client-targets.js';
import { generateClientTypes, ROOT } from '../scripts/codegen/client-types.js';

describe.each(CLIENT_TARGETS.map((target) => [target.outDir, target] as const))(
  'generated client types in %s',
  (outDir, target) => {
    it('are what its operations generate from schema.graphql (run `npm run codegen` after changing either)', async () => {
      const generated = await generateClientTypes(target);
      const committed = fs.readdirSync(path.join(ROOT, outDir)).map((name) => `${outDir}${name}`);
      expect(committed.sort()).toEqual(generated.map((file) => file.file).sort());
      for (const { file, content } of generated)
        expect(fs.readFileSync(path.join(ROOT, file), 'utf8'), file).toBe(content);
    });
  },
);

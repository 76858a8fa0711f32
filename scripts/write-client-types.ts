/** `npm run codegen`: writes the generated types of every typed client (scripts/codegen/client-targets.ts). */
import fs from 'node:fs';
import path from 'node:path';
import { CLIENT_TARGETS } from './codegen/client-targets.js';
import { generateClientTypes, ROOT } from './codegen/client-types.js';

for (const target of CLIENT_TARGETS) {
  const outDir = path.join(ROOT, target.outDir);
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  for (const { file, content } of await generateClientTypes(target)) {
    fs.writeFileSync(path.join(ROOT, file), content);
    process.stdout.write(`wrote ${file}\n`);
  }
}

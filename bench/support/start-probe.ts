/**
 * Start-up of the server as `npm start` runs it (compiled, dist/main.js) beside the TypeScript sources
 * under tsx (how `npm start` ran before), alternated round by round on copies of one store file.
 *
 *   node --import tsx bench/support/start-probe.ts [--store FILE] [--rounds N]
 *
 * Without --store, an empty store. Prints one JSON line per start: { source, readyMs, rssMb }.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { EMBEDDED_FILE } from '../../src/store/open-database.js';
import { rssMb, type ServerSource, startServerChild } from './server-child.js';

const { values } = parseArgs({ options: { store: { type: 'string' }, rounds: { type: 'string', default: '3' } } });

for (let round = 0; round < Number(values.rounds); round++) {
  for (const source of ['compiled', 'tsx'] as ServerSource[]) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-start-probe-'));
    try {
      if (values.store) fs.copyFileSync(values.store, path.join(dir, EMBEDDED_FILE));
      const server = await startServerChild({ STORE: 'embedded', DATA_DIR: dir }, source);
      const rss = rssMb(server.pid);
      await server.stop();
      process.stdout.write(
        `${JSON.stringify({ source, readyMs: Math.round(server.readyMs), rssMb: Math.round(rss) })}\n`,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}

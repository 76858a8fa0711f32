import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestApp } from '../support/test-app.js';

const PROCEDURE_IDS = '{ procedures { edges { node { procedureId } } } }';

describe('seed procedures', () => {
  const dirs: string[] = [];

  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('are stored once per store: a deleted one does not come back at the next start', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-seeds-'));
    dirs.push(dataDir);
    const first = await startTestApp({ STORE: 'embedded', DATA_DIR: dataDir });
    try {
      const deleted = await first.gql(
        'mutation { deleteProcedure(input: { id: "AGENT_HANDOFF_STANDARD" }) { userErrors { message } } }',
      );
      expect(deleted.errors).toBeUndefined();
      expect(deleted.data.deleteProcedure.userErrors).toEqual([]);
    } finally {
      await first.close();
    }
    const second = await startTestApp({ STORE: 'embedded', DATA_DIR: dataDir });
    try {
      const listed = await second.gql(PROCEDURE_IDS);
      expect(
        listed.data.procedures.edges.map((edge: { node: { procedureId: string } }) => edge.node.procedureId),
      ).toEqual(['PHASE_TRANSITION_STANDARD']);
    } finally {
      await second.close();
    }
  });
});

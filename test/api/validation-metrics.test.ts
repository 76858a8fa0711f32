import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../support/server.js';
import { goodContext, runSession } from '../support/validation-api.js';

describe('validation metrics', () => {
  const METRICS = `{ metrics { validation { sessions running passed passedWithWarnings failed successRate
    byRule { ruleId evaluated failed errors } bySeverity { severity evaluated failed errors } } } }`;
  let dataDir: string;

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-validation-metrics-'));
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('counts sessions, outcomes and rule results from the store, also after a restart', async () => {
    let server = await startTestServer({ STORE: 'embedded', DATA_DIR: dataDir });
    try {
      await runSession(server, { procedureId: 'PHASE_TRANSITION_STANDARD', context: goodContext() });
      await runSession(server, { procedureId: 'PHASE_TRANSITION_STANDARD', context: goodContext({ resources: [{ name: 'x', available: false }] }) });
      await runSession(server, { procedureId: 'PHASE_TRANSITION_STANDARD', context: goodContext({ sourceStateChecksum: 'other' }) });
      await runSession(server, { procedureId: 'PHASE_TRANSITION_STANDARD', context: goodContext({ phaseComplete: false, sourceStateChecksum: null }) });
    } finally {
      await server.close();
    }
    server = await startTestServer({ STORE: 'embedded', DATA_DIR: dataDir });
    try {
      const response = await server.gql(METRICS);
      expect(response.errors).toBeUndefined();
      const metrics = response.data.metrics.validation;
      expect(metrics).toMatchObject({ sessions: 4, running: 0, passed: 1, passedWithWarnings: 1, failed: 2, successRate: 0.5 });
      const byRule = Object.fromEntries(metrics.byRule.map((r: any) => [r.ruleId, r]));
      expect(byRule.VR001).toEqual({ ruleId: 'VR001', evaluated: 4, failed: 1, errors: 0 });
      expect(byRule.VR002).toEqual({ ruleId: 'VR002', evaluated: 4, failed: 1, errors: 0 });
      expect(byRule.VR003).toEqual({ ruleId: 'VR003', evaluated: 4, failed: 2, errors: 0 });
      expect(byRule.VR004).toEqual({ ruleId: 'VR004', evaluated: 0, failed: 0, errors: 0 });
      const bySeverity = Object.fromEntries(metrics.bySeverity.map((s: any) => [s.severity, s]));
      expect(bySeverity.CRITICAL).toEqual({ severity: 'CRITICAL', evaluated: 8, failed: 2, errors: 0 });
      expect(bySeverity.HIGH).toEqual({ severity: 'HIGH', evaluated: 4, failed: 2, errors: 0 });
    } finally {
      await server.close();
    }
  });
});

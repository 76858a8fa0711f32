import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { CREATE_RULE, goodContext, resultOf, runSession } from '../support/validation-api.js';

describe('validation metrics', () => {
  const METRICS = `{ metrics { validation { sessions running passed passedWithWarnings failed successRate
    byRule { ruleId evaluated failed errors } bySeverity { severity evaluated failed errors } } } }`;
  let dataDir: string;

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-validation-metrics-'));
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('counts sessions, outcomes and rule results from the store, also after a restart', async () => {
    let server = await startTestApp({ STORE: 'embedded', DATA_DIR: dataDir });
    try {
      await runSession(server, { procedureId: 'PHASE_TRANSITION_STANDARD', context: goodContext() });
      await runSession(server, {
        procedureId: 'PHASE_TRANSITION_STANDARD',
        context: goodContext({ resources: [{ name: 'x', available: false }] }),
      });
      await runSession(server, {
        procedureId: 'PHASE_TRANSITION_STANDARD',
        context: goodContext({ sourceStateChecksum: 'other' }),
      });
      await runSession(server, {
        procedureId: 'PHASE_TRANSITION_STANDARD',
        context: goodContext({ phaseComplete: false, sourceStateChecksum: null }),
      });
    } finally {
      await server.close();
    }
    server = await startTestApp({ STORE: 'embedded', DATA_DIR: dataDir });
    try {
      const response = await server.gql(METRICS);
      expect(response.errors).toBeUndefined();
      const metrics = response.data.metrics.validation;
      expect(metrics).toMatchObject({
        sessions: 4,
        running: 0,
        passed: 1,
        passedWithWarnings: 1,
        failed: 2,
        successRate: 0.5,
      });
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

describe('per-rule performance', () => {
  const FIGURES = 'evaluated passed failed errors successRate durationP50Ms durationP95Ms durationMaxMs';
  const METRICS = `{ metrics { validation { byRule { ruleId ${FIGURES} } bySeverity { severity ${FIGURES} } } } }`;
  const NEVER_EVALUATED = {
    evaluated: 0,
    passed: 0,
    failed: 0,
    errors: 0,
    successRate: null,
    durationP50Ms: null,
    durationP95Ms: null,
    durationMaxMs: null,
  };
  let dataDir: string;

  beforeAll(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-rule-performance-'));
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  async function validationMetrics(server: TestApp) {
    const response = await server.gql(METRICS);
    expect(response.errors).toBeUndefined();
    const { byRule, bySeverity } = response.data.metrics.validation;
    return {
      byRule: Object.fromEntries(byRule.map(({ ruleId, ...figures }: any) => [ruleId, figures])) as Record<string, any>,
      bySeverity: Object.fromEntries(bySeverity.map(({ severity, ...figures }: any) => [severity, figures])) as Record<
        string,
        any
      >,
    };
  }

  /** The count of one series of the rule histogram in Prometheus text. */
  function evaluationCount(text: string, rule: string, status: string): number {
    const line = text
      .split('\n')
      .find(
        (l) =>
          l.startsWith('handoff_validation_rule_duration_seconds_count{') &&
          l.includes(`rule="${rule}"`) &&
          l.includes(`status="${status}"`),
      );
    return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
  }

  /** Times are wall-clock, so only their order is checked, and that they agree with the stored results. */
  function expectSaneTimes(figures: any, durations: number[]) {
    const sorted = [...durations].sort((a, b) => a - b);
    const median = sorted[Math.ceil(sorted.length / 2) - 1];
    expect(figures.durationMaxMs).toBe(sorted.at(-1)); // kept exactly
    expect(figures.durationP50Ms).toBeGreaterThanOrEqual(median); // a bucket's upper bound, never below
    expect(figures.durationP50Ms).toBeLessThanOrEqual(figures.durationP95Ms);
    expect(figures.durationP95Ms).toBeLessThanOrEqual(figures.durationMaxMs);
  }

  it('gives success rates and evaluation times per rule and severity from the store, also after a restart', async () => {
    let server = await startTestApp({ STORE: 'embedded', DATA_DIR: dataDir });
    const countDurations: number[] = [];
    const vr001Durations: number[] = [];
    let before: Awaited<ReturnType<typeof validationMetrics>>;
    try {
      // One rule that passes, fails or cannot be evaluated ($toInt of "abc" throws), and one never run.
      const count = {
        id: 'VR_COUNT',
        name: 'Count not negative',
        severity: 'HIGH',
        condition: { $expr: { $gte: [{ $toInt: '$context.count' }, 0] } },
      };
      const idle = { id: 'VR_IDLE', name: 'Never run', severity: 'LOW', condition: { 'context.never': true } };
      for (const input of [count, idle])
        expect((await server.gql(CREATE_RULE, { input })).data.createValidationRule.userErrors).toEqual([]);

      const runs = [
        { count: 5, expected: 'PASSED' },
        { count: 12, expected: 'PASSED' },
        { count: -1, expected: 'FAILED' },
        { count: 'abc', expected: 'ERROR', phaseComplete: false },
      ];
      for (const run of runs) {
        const session = await runSession(server, {
          ruleIds: ['VR_COUNT', 'VR001'],
          context: goodContext({ count: run.count, phaseComplete: run.phaseComplete ?? true }),
        });
        expect(resultOf(session, 'VR_COUNT').status).toBe(run.expected);
        countDurations.push(resultOf(session, 'VR_COUNT').durationMs);
        vr001Durations.push(resultOf(session, 'VR001').durationMs);
      }
      const lone = resultOf(await runSession(server, { ruleIds: ['VR_COUNT'], context: { count: 'abc' } }), 'VR_COUNT');
      expect(lone).toMatchObject({ status: 'ERROR', message: expect.stringContaining('could not be evaluated') });
      countDurations.push(lone.durationMs);

      const text = await (await server.fetch('/metrics')).text();
      expect(text).toMatch(/^# TYPE handoff_validation_rule_duration_seconds histogram$/m);
      expect([
        evaluationCount(text, 'VR_COUNT', 'PASSED'),
        evaluationCount(text, 'VR_COUNT', 'FAILED'),
        evaluationCount(text, 'VR_COUNT', 'ERROR'),
      ]).toEqual([2, 1, 2]);
      expect([evaluationCount(text, 'VR001', 'PASSED'), evaluationCount(text, 'VR001', 'FAILED')]).toEqual([3, 1]);
      expect(evaluationCount(text, 'VR_IDLE', 'PASSED')).toBe(0);
      before = await validationMetrics(server);
    } finally {
      await server.close();
    }

    server = await startTestApp({ STORE: 'embedded', DATA_DIR: dataDir });
    try {
      const after = await validationMetrics(server);
      expect(after).toEqual(before);
      const { byRule, bySeverity } = after;
      expect(byRule.VR_COUNT).toMatchObject({ evaluated: 5, passed: 2, failed: 1, errors: 2, successRate: 0.4 });
      expect(byRule.VR001).toMatchObject({ evaluated: 4, passed: 3, failed: 1, errors: 0, successRate: 0.75 });
      expectSaneTimes(byRule.VR_COUNT, countDurations);
      expectSaneTimes(byRule.VR001, vr001Durations);
      expect(byRule.VR_IDLE).toEqual(NEVER_EVALUATED);
      expect(byRule.VR004).toEqual(NEVER_EVALUATED);
      expect(bySeverity.HIGH).toEqual(byRule.VR_COUNT); // VR_COUNT is the only HIGH rule evaluated
      expect(bySeverity.CRITICAL).toEqual(byRule.VR001);
      expect(bySeverity.LOW).toEqual(NEVER_EVALUATED);
      expect(bySeverity.MEDIUM).toEqual(NEVER_EVALUATED);
    } finally {
      await server.close();
    }
  });
});

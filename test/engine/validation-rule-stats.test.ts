import { describe, expect, it } from 'vitest';
import { AgentService } from '../../src/engine/agents/agent-service.js';
import type { Severity } from '../../src/engine/kernel/procedures/procedure.js';
import { silentLogger } from '../../src/engine/shared/logger.js';
import { seededRandom } from '../../src/engine/shared/random.js';
import type { RuleResult } from '../../src/engine/validation/rule.js';
import type { RuleEvaluator } from '../../src/engine/validation/rule-runner.js';
import { ValidationRuleService } from '../../src/engine/validation/rule-service.js';
import {
  bucketQuantile,
  durationBucket,
  RULE_DURATION_BOUNDS_MS,
  type RuleStats,
  summarizeStats,
} from '../../src/engine/validation/rule-stats.js';
import { ValidationService } from '../../src/engine/validation/validation-service.js';
import type { Database } from '../../src/store/collection.js';
import { AgentRepository } from '../../src/store/repositories/agent-repository.js';
import { ValidationRuleRepository } from '../../src/store/repositories/validation-rule-repository.js';
import { ValidationSessionRepository } from '../../src/store/repositories/validation-session-repository.js';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';
import { ManualClock } from '../support/manual-clock.js';

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

function stats(overrides: Partial<RuleStats>): RuleStats {
  return {
    ruleId: 'R',
    severity: 'CRITICAL',
    evaluated: 0,
    passed: 0,
    failed: 0,
    errors: 0,
    maxDurationMs: 0,
    durationBuckets: [],
    ...overrides,
  };
}

/** A histogram of these durations, as the store keeps it. */
function histogram(durations: number[]): number[] {
  const buckets = new Array<number>(RULE_DURATION_BOUNDS_MS.length + 1).fill(0);
  for (const ms of durations) buckets[durationBucket(ms)]++;
  return buckets;
}

describe('rule figures', () => {
  it('puts a duration in the first bucket whose bound it does not exceed', () => {
    expect([0, 1, 2, 3, 5, 6, 60_000, 60_001].map(durationBucket)).toEqual([0, 1, 2, 3, 3, 4, 15, 16]);
  });

  it('reads quantiles as bucket upper bounds, never above the maximum', () => {
    const buckets = histogram([0, 3, 7, 40, 1000]);
    expect(bucketQuantile(buckets, 0.5, 1000)).toBe(10); // the 3rd of 5 (7 ms) is in the ≤10 ms bucket
    expect(bucketQuantile(buckets, 0.95, 1000)).toBe(1000);
    expect(bucketQuantile(histogram([3, 3, 3]), 0.95, 3)).toBe(3); // ≤5 ms bucket, capped at the maximum
    expect(bucketQuantile(histogram([90_000]), 0.5, 90_000)).toBe(90_000); // the overflow bucket reads as the maximum
  });

  it('adds up several entries and gives nulls when nothing was evaluated', () => {
    expect(summarizeStats([])).toEqual(NEVER_EVALUATED);
    expect(summarizeStats([stats({})])).toEqual(NEVER_EVALUATED);
    const summary = summarizeStats([
      stats({ evaluated: 3, passed: 2, failed: 1, maxDurationMs: 7, durationBuckets: histogram([0, 3, 7]) }),
      stats({
        severity: 'HIGH',
        evaluated: 2,
        passed: 1,
        errors: 1,
        maxDurationMs: 1000,
        durationBuckets: histogram([40, 1000]),
      }),
    ]);
    expect(summary).toEqual({
      evaluated: 5,
      passed: 3,
      failed: 1,
      errors: 1,
      successRate: 0.6,
      durationP50Ms: 10,
      durationP95Ms: 1000,
      durationMaxMs: 1000,
    });
  });
});

/**
 * Each rule takes `context.ms` of the manual clock and then passes, fails or throws as
 * `context.verdict` says, so durations are exact and no test waits in real time.
 */
function scriptedEvaluator(clock: ManualClock): RuleEvaluator {
  return async (_rule, subject) => {
    const { ms, verdict } = subject.context as { ms: number; verdict: 'pass' | 'fail' | 'throw' };
    await clock.advance(ms);
    if (verdict === 'throw') throw new Error('cannot decide');
    return { passed: verdict === 'pass', message: verdict };
  };
}

async function services(db: Database, clock: ManualClock) {
  const rules = new ValidationRuleService(await ValidationRuleRepository.open(db), clock, { list: async () => [] });
  const validation = new ValidationService({
    rules,
    sessions: await ValidationSessionRepository.open(db),
    agents: new AgentService(await AgentRepository.open(db), clock, 30_000),
    procedures: { get: async () => null },
    handoffLookup: async () => null,
    clock,
    random: seededRandom(7),
    logger: silentLogger,
    evaluator: scriptedEvaluator(clock),
  });
  return { rules, validation };
}

describe('validation metrics per rule', () => {
  it('counts every evaluated result with its time, per rule and per severity as it was, and reads the same from a reopened store', async () => {
    const db = SqliteDatabase.inMemory();
    const clock = new ManualClock();
    const { rules, validation } = await services(db, clock);
    for (const [id, severity] of [
      ['R1', 'CRITICAL'],
      ['R2', 'HIGH'],
      ['R3', 'LOW'],
    ] as [string, Severity][]) {
      await rules.create({ id, name: id, severity, condition: {} });
    }
    const run = async (ruleId: string, ms: number, verdict: string) => {
      const outcome = await validation.runSession({ ruleIds: [ruleId], context: { ms, verdict } });
      if (!outcome.ok) throw new Error('refused');
      return outcome.value.results[0];
    };
    for (const [ms, verdict] of [
      [0, 'pass'],
      [3, 'pass'],
      [7, 'fail'],
      [40, 'throw'],
      [1000, 'pass'],
    ] as const)
      await run('R1', ms, verdict);
    await rules.setEnabled('R2', false);
    expect((await run('R2', 5, 'pass')).status).toBe('SKIPPED');
    await rules.update({ id: 'R1', severity: 'HIGH' });
    expect(await run('R1', 2, 'fail')).toMatchObject({ severity: 'HIGH', durationMs: 2 });

    const metrics = await validation.metrics();
    const byRule = Object.fromEntries(metrics.byRule.map(({ ruleId, ...figures }) => [ruleId, figures]));
    const bySeverity = Object.fromEntries(metrics.bySeverity.map(({ severity, ...figures }) => [severity, figures]));
    // 0, 2, 3, 7, 40, 1000 ms: the 3rd (3 ms) is in the ≤5 ms bucket, the 6th in the ≤1000 ms one.
    expect(byRule.R1).toEqual({
      evaluated: 6,
      passed: 3,
      failed: 2,
      errors: 1,
      successRate: 0.5,
      durationP50Ms: 5,
      durationP95Ms: 1000,
      durationMaxMs: 1000,
    });
    expect(byRule.R2).toEqual(NEVER_EVALUATED); // skipped only
    expect(byRule.R3).toEqual(NEVER_EVALUATED);
    expect(bySeverity.CRITICAL).toEqual({
      evaluated: 5,
      passed: 3,
      failed: 1,
      errors: 1,
      successRate: 0.6,
      durationP50Ms: 10,
      durationP95Ms: 1000,
      durationMaxMs: 1000,
    });
    expect(bySeverity.HIGH).toEqual({
      evaluated: 1,
      passed: 0,
      failed: 1,
      errors: 0,
      successRate: 0,
      durationP50Ms: 2,
      durationP95Ms: 2,
      durationMaxMs: 2,
    });
    expect(bySeverity.LOW).toEqual(NEVER_EVALUATED);

    const reopened = await services(db, clock);
    expect(await reopened.validation.metrics()).toEqual(metrics);
  });

  it('publishes every evaluation, stored or not, for Prometheus', async () => {
    const clock = new ManualClock();
    const { rules, validation } = await services(SqliteDatabase.inMemory(), clock);
    await rules.create({ id: 'R1', name: 'R1', severity: 'CRITICAL', condition: {} });
    const seen: RuleResult[] = [];
    validation.evaluations.subscribe((result) => seen.push(result));
    await validation.runSession({ ruleIds: ['R1'], context: { ms: 4, verdict: 'fail' } });
    await validation.evaluate({ ruleIds: ['R1', 'GONE'], subject: { context: { ms: 1, verdict: 'pass' } } });
    expect(seen.map((r) => [r.ruleId, r.status, r.durationMs])).toEqual([
      ['R1', 'FAILED', 4],
      ['GONE', 'ERROR', 0],
      ['R1', 'PASSED', 1],
    ]);
  });
});

describe('stored rule figures', () => {
  const result = (
    ruleId: string,
    status: RuleResult['status'],
    durationMs: number,
    severity: Severity = 'HIGH',
  ): RuleResult => ({
    ruleId,
    ruleName: ruleId,
    severity,
    status,
    message: status,
    durationMs,
    seq: 1,
    at: 0,
  });

  it('counts a result once, however often it is written', async () => {
    const sessions = await ValidationSessionRepository.open(SqliteDatabase.inMemory());
    expect(await sessions.addResult('s1', result('R1', 'PASSED', 12))).toBe(true);
    expect(await sessions.addResult('s1', result('R1', 'FAILED', 99))).toBe(false);
    expect(await sessions.ruleStats()).toEqual([
      {
        ruleId: 'R1',
        severity: 'HIGH',
        evaluated: 1,
        passed: 1,
        failed: 0,
        errors: 0,
        maxDurationMs: 12,
        durationBuckets: histogram([12]),
      },
    ]);
  });

  it('counts results stored before figures were kept, once, the first time the store is opened', async () => {
    const db = SqliteDatabase.inMemory();
    const earlier = await db.collection<RuleResult & { _id: string; sessionId: string }>('validation_results');
    await earlier.insertMany([
      { _id: 'old1/R1', sessionId: 'old1', ...result('R1', 'PASSED', 3) },
      { _id: 'old2/R1', sessionId: 'old2', ...result('R1', 'ERROR', 30) },
      { _id: 'old2/R2', sessionId: 'old2', ...result('R2', 'SKIPPED', 0, 'LOW') },
    ]);
    const first = await ValidationSessionRepository.open(db);
    await first.addResult('new1', result('R1', 'FAILED', 8));
    const again = await ValidationSessionRepository.open(db);
    const figures = summarizeStats((await again.ruleStats()).filter((s) => s.ruleId === 'R1'));
    expect(figures).toEqual({
      evaluated: 3,
      passed: 1,
      failed: 1,
      errors: 1,
      successRate: 1 / 3,
      durationP50Ms: 10,
      durationP95Ms: 30,
      durationMaxMs: 30,
    });
    expect((await again.ruleStats()).filter((s) => s.ruleId === 'R2')).toEqual([]);
    // Results are read back as they were stored, bookkeeping left out.
    expect(await again.results('new1')).toEqual([{ ...result('R1', 'FAILED', 8), sessionId: 'new1' }]);
  });
});

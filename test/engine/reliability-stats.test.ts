import { describe, expect, it } from 'vitest';
import { checkParameters, inFlightLimit } from '../../src/engine/reliability/parameter-checks.js';
import {
  buildResult,
  type IterationRecord,
  summarizeLatency,
  windowSeries,
} from '../../src/engine/reliability/test-stats.js';

function iteration(fields: Partial<IterationRecord> = {}): IterationRecord {
  return {
    index: 0,
    handoffId: 'rt.0',
    outcome: 'SUCCEEDED',
    startMs: 0,
    latencyMs: 10,
    errorCodes: [],
    rolledBack: false,
    rollbackNeeded: false,
    rollbackClean: false,
    retries: 0,
    ...fields,
  };
}

const context = { durationMs: 2_000, concurrency: 5, windowMs: 1_000, faults: new Map() };

describe('summarizeLatency', () => {
  it('reports percentiles and the maximum of the recorded latencies', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(summarizeLatency(values)).toEqual({ p50: 50, p95: 95, p99: 99, max: 100, mean: 50.5 });
  });

  it('is null when nothing finished, and counts sub-millisecond latencies as 1 ms', () => {
    expect(summarizeLatency([])).toBeNull();
    expect(summarizeLatency([0, 0.2])).toMatchObject({ p50: 1, max: 1 });
  });
});

describe('buildResult', () => {
  it('counts outcomes, rates and error causes; cancelled iterations are neither success nor failure', () => {
    const records = [
      iteration({ latencyMs: 10 }),
      iteration({ latencyMs: 20, retries: 2 }),
      iteration({
        outcome: 'FAILED',
        errorCodes: ['STEP_FAILED'],
        rolledBack: true,
        rollbackNeeded: true,
        rollbackClean: true,
        latencyMs: 30,
      }),
      iteration({
        outcome: 'FAILED',
        errorCodes: ['STEP_TIMEOUT', 'ROLLBACK_FAILED'],
        rollbackNeeded: true,
        latencyMs: 40,
      }),
      iteration({ outcome: 'FAILED', errorCodes: ['STEP_FAILED'], latencyMs: 50 }),
      iteration({ outcome: 'CANCELLED', latencyMs: 5_000 }),
    ];
    const result = buildResult(records, { ...context, faults: new Map([['FAIL', 3]]) });
    expect(result).toMatchObject({
      iterations: 6,
      succeeded: 2,
      failed: 3,
      cancelled: 1,
      rolledBack: 1,
      rollbacksNeeded: 2,
      rollbacksClean: 1,
      successRate: 0.4,
      rollbackSuccessRate: 0.5,
      retries: 2,
      throughputPerSec: 2.5,
      concurrency: 5,
    });
    expect(result.errors).toEqual([
      { code: 'STEP_FAILED', count: 2 },
      { code: 'ROLLBACK_FAILED', count: 1 },
      { code: 'STEP_TIMEOUT', count: 1 },
    ]);
    expect(result.faults).toEqual([
      { kind: 'FAIL', count: 3 },
      { kind: 'SLOW', count: 0 },
      { kind: 'HANG', count: 0 },
    ]);
    // The cancelled iteration's 5 s does not distort latency.
    expect(result.latencyMs!.max).toBe(50);
  });

  it('reports no rollback success rate when no rollback was needed, and 0 success when nothing finished', () => {
    expect(buildResult([iteration()], context)).toMatchObject({ successRate: 1, rollbackSuccessRate: null });
    expect(buildResult([], context)).toMatchObject({
      iterations: 0,
      successRate: 0,
      latencyMs: null,
      windows: [],
      p50DriftRatio: null,
    });
  });
});

describe('windowSeries', () => {
  it('groups iterations by the window they started in, keeps empty windows, and shows drift', () => {
    const records = [
      iteration({ startMs: 100, latencyMs: 10 }),
      iteration({ startMs: 900, latencyMs: 10 }),
      iteration({ startMs: 2_500, latencyMs: 30, outcome: 'FAILED' }),
    ];
    const windows = windowSeries(records, 1_000);
    expect(
      windows.map((w) => [w.index, w.startMs, w.iterations, w.succeeded, w.failed, w.latencyMs?.p50 ?? null]),
    ).toEqual([
      [0, 0, 2, 2, 0, 10],
      [1, 1_000, 0, 0, 0, null],
      [2, 2_000, 1, 0, 1, 30],
    ]);
    expect(buildResult(records, context).p50DriftRatio).toBe(3);
  });
});

describe('parameters', () => {
  it('refuses out-of-range values with the field path', () => {
    const errors = checkParameters(
      { iterations: 0, timeoutMs: 50, failureRate: 1.5, concurrentLimit: 2.5, ratePerSec: 0, stressFactor: 2 },
      ['input', 'overrides'],
    );
    expect(errors.map((e) => e.field!.join('.'))).toEqual([
      'input.overrides.iterations',
      'input.overrides.timeoutMs',
      'input.overrides.failureRate',
      'input.overrides.concurrentLimit',
      'input.overrides.ratePerSec',
    ]);
    expect(errors.every((e) => e.code === 'INVALID_VALUE')).toBe(true);
    expect(checkParameters({ iterations: 5, ratePerSec: null }, ['input'])).toEqual([]);
  });

  it('scales concurrency by the stress factor', () => {
    expect(inFlightLimit({ concurrentLimit: 20, stressFactor: 2 })).toBe(40);
    expect(inFlightLimit({ concurrentLimit: 3, stressFactor: 1.5 })).toBe(5);
    expect(inFlightLimit({ concurrentLimit: 900, stressFactor: 100 })).toBe(1_000);
  });
});

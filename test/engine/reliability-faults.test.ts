import { describe, expect, it } from 'vitest';
import type { Handoff } from '../../src/engine/kernel/handoff/handoff.js';
import {
  createFaultHook,
  HANG_MAX_STEP_TIMEOUT_MS,
  InjectedFault,
  planFault,
} from '../../src/engine/reliability/fault-plan.js';
import type { Clock } from '../../src/engine/shared/clock.js';

function plans(seed: number, rate: number, timeoutMs: number, n = 4_000) {
  return Array.from({ length: n }, (_, i) => planFault(seed, i, 'step', 1, rate, timeoutMs));
}

describe('planFault', () => {
  it('is a pure function of seed, iteration, step and attempt', () => {
    expect(plans(7, 0.3, 1_000)).toEqual(plans(7, 0.3, 1_000));
    expect(plans(7, 0.3, 1_000)).not.toEqual(plans(8, 0.3, 1_000));
    expect(planFault(7, 3, 'a', 1, 0.5, 1_000)).toEqual(planFault(7, 3, 'a', 1, 0.5, 1_000));
  });

  it('injects faults at the configured rate, mostly FAIL, some SLOW, few HANG', () => {
    const faults = plans(42, 0.1, 1_000).filter((p) => p !== null);
    expect(faults.length / 4_000).toBeGreaterThan(0.085);
    expect(faults.length / 4_000).toBeLessThan(0.115);
    const share = (kind: string) => faults.filter((f) => f!.kind === kind).length / faults.length;
    expect(share('FAIL')).toBeGreaterThan(0.5);
    expect(share('SLOW')).toBeGreaterThan(0.2);
    expect(share('HANG')).toBeGreaterThan(0.03);
    expect(share('HANG')).toBeLessThan(0.2);
    expect(plans(42, 0, 1_000).every((p) => p === null)).toBe(true);
    expect(plans(42, 1, 1_000).every((p) => p !== null)).toBe(true);
  });

  it('never hangs a step whose timeout is long, and keeps slow faults under half the step timeout', () => {
    const long = plans(42, 1, HANG_MAX_STEP_TIMEOUT_MS + 1);
    expect(long.some((p) => p!.kind === 'HANG')).toBe(false);
    const short = plans(42, 1, 100);
    expect(short.some((p) => p!.kind === 'HANG')).toBe(true);
    expect(short.filter((p) => p!.kind === 'SLOW').every((p) => p!.delayMs <= 50)).toBe(true);
  });
});

describe('createFaultHook', () => {
  const clock: Clock = { now: () => 0, sleep: async () => undefined };
  const handoff = (id: string) => ({ id }) as Handoff;

  it('fails, hangs until the attempt is aborted, and ignores handoffs of no iteration', async () => {
    const seen: string[] = [];
    const hook = createFaultHook({
      seed: 1,
      failureRate: 1,
      stepTimeouts: new Map([['s', 100]]),
      clock,
      iterationOf: (h) => (h.id === 'other' ? null : Number(h.id)),
      onFault: (kind) => seen.push(kind),
    });
    await expect(
      hook.beforeAttempt(handoff('other'), 's', 1, () => new AbortController().signal),
    ).resolves.toBeUndefined();
    // Find an iteration of each kind in the plan and check the hook does what the plan says.
    const firstOf = (kind: string) => {
      for (let i = 0; ; i++) if (planFault(1, i, 's', 1, 1, 100)!.kind === kind) return i;
    };
    const byKind = new Map(['FAIL', 'SLOW', 'HANG'].map((kind) => [kind, firstOf(kind)]));
    await expect(
      hook.beforeAttempt(handoff(String(byKind.get('FAIL'))), 's', 1, () => new AbortController().signal),
    ).rejects.toBeInstanceOf(InjectedFault);
    await expect(
      hook.beforeAttempt(handoff(String(byKind.get('SLOW'))), 's', 1, () => new AbortController().signal),
    ).resolves.toBeUndefined();
    const abort = new AbortController();
    const hanging = hook.beforeAttempt(handoff(String(byKind.get('HANG'))), 's', 1, () => abort.signal);
    abort.abort(new Error('step timed out'));
    await expect(hanging).rejects.toThrow('step timed out');
    expect(seen).toEqual(['FAIL', 'SLOW', 'HANG']);
  });
});

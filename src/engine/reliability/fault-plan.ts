import { type Handoff, procedureStepIdOf } from '../kernel/handoff/handoff.js';
import type { FaultHook } from '../kernel/runner/run-action.js';
import type { Clock } from '../shared/clock.js';
import { seededRandom } from '../shared/random.js';
import type { FaultKind } from './reliability-test.js';

/**
 * A hang lasts until the step's own timeout fires (nothing else ends it short of a cancel),
 * so it is only injected into steps whose timeout is at most this long. On slower steps (the
 * seed procedures' steps allow 20–60 s) the fault is injected as FAIL instead: a run with
 * hangs there would spend most of its time waiting, not testing.
 */
export const HANG_MAX_STEP_TIMEOUT_MS = 5_000;

/** Shares of the injected faults: most fail outright, some are slow, few hang. */
const FAIL_SHARE = 0.6;
const SLOW_SHARE = 0.3;
const SLOW_MIN_MS = 20;
const SLOW_SPAN_MS = 180;

export interface PlannedFault {
  kind: FaultKind;
  /** How long a SLOW fault delays the attempt. */
  delayMs: number;
}

/** FNV-1a: a stable 32-bit hash, so each attempt's draw depends on what it is, not on timing. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/**
 * Whether (and how) attempt `attempt` of step `stepId` in iteration `iteration` is faulted.
 * Pure: the same seed gives the same faults whatever the concurrency and scheduling.
 */
export function planFault(
  seed: number,
  iteration: number,
  stepId: string,
  attempt: number,
  failureRate: number,
  stepTimeoutMs: number,
): PlannedFault | null {
  if (failureRate <= 0) return null;
  const random = seededRandom(hash(`${seed}|${iteration}|${stepId}|${attempt}`));
  if (random.next() >= failureRate) return null;
  const pick = random.next();
  const delay = random.next();
  if (pick < FAIL_SHARE) return { kind: 'FAIL', delayMs: 0 };
  if (pick < FAIL_SHARE + SLOW_SHARE) {
    // Slow, never so slow that it becomes a timeout.
    return {
      kind: 'SLOW',
      delayMs: Math.min(Math.round(SLOW_MIN_MS + delay * SLOW_SPAN_MS), Math.floor(stepTimeoutMs / 2)),
    };
  }
  return stepTimeoutMs <= HANG_MAX_STEP_TIMEOUT_MS ? { kind: 'HANG', delayMs: 0 } : { kind: 'FAIL', delayMs: 0 };
}

/** The error a FAIL fault throws: recognisable in step errors and logs. */
export class InjectedFault extends Error {
  constructor(stepId: string, attempt: number) {
    super(`injected fault: attempt ${attempt} of ${stepId} failed`);
    this.name = 'InjectedFault';
  }
}

export interface FaultHookOptions {
  seed: number;
  failureRate: number;
  /** Timeout of each step of the procedure under test, by step id. */
  stepTimeouts: ReadonlyMap<string, number>;
  clock: Clock;
  /** The iteration a handoff belongs to; null for one the test does not know. */
  iterationOf(handoff: Handoff): number | null;
  onFault(kind: FaultKind): void;
}

/** The hook a test registers with engine.faults: it acts only on that test's handoffs. */
export function createFaultHook(options: FaultHookOptions): FaultHook {
  return {
    async beforeAttempt(handoff, stepId, attempt, signal) {
      const iteration = options.iterationOf(handoff);
      if (iteration === null) return;
      const fault = planFault(
        options.seed,
        iteration,
        stepId,
        attempt,
        options.failureRate,
        options.stepTimeouts.get(procedureStepIdOf(stepId)) ?? Number.MAX_SAFE_INTEGER,
      );
      if (!fault) return;
      options.onFault(fault.kind);
      if (fault.kind === 'FAIL') throw new InjectedFault(stepId, attempt);
      if (fault.kind === 'SLOW') return options.clock.sleep(fault.delayMs, signal());
      // HANG: until the attempt is aborted (its timeout, or a cancel).
      const aborted = signal();
      await new Promise<never>((_, reject) => {
        if (aborted.aborted) return reject(aborted.reason);
        aborted.addEventListener('abort', () => reject(aborted.reason), { once: true });
      });
    },
  };
}

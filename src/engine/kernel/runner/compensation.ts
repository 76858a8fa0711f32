import {
  compensationFailed,
  compensationRetryScheduled,
  compensationSucceeded,
  handBack,
  startCompensation,
  suspendCompensation,
} from '../handoff/handoff-transitions.js';
import { retryDelayMs } from '../handoff/retry-delay.js';
import { definitionAt } from '../procedures/branch-definition.js';
import { maxParallelStepsOf } from '../procedures/procedure.js';
import type { ActiveRun, RunEnd, RunParts } from './active-run.js';
import { type AttemptOutcome, type AttemptSpec, driveAttempt, resumeAttempt } from './attempt.js';
import { compensationPlan } from './compensation-plan.js';
import { INTERRUPTED_BY_RESTART, ShutdownError } from './run-action.js';
import { finishRun } from './run-ending.js';
import { wakeAfter } from './wake-after.js';

/**
 * Undoes the completed steps (ROLLING_BACK) in reverse dependency order, independent ones at once (see
 * compensation-plan.ts), then finishes the handoff: ROLLED_BACK, CANCELLED (a cancel was recorded), or
 * ROLLBACK_FAILED. A compensation waiting (for a retry, or for an agent) holds no slot: once nothing else
 * can go on, the run ends here and the next run goes on with it.
 */
export async function rollBack(parts: RunParts, run: ActiveRun): Promise<RunEnd> {
  const running = new Map<number, Promise<void>>();
  const failures: unknown[] = [];
  const plan = () =>
    compensationPlan(run.handoff, run.procedure, {
      now: parts.clock.now(),
      busy: run.flying,
      signalled: run.signals.has,
    });
  run.idle = (h) =>
    compensationPlan(h, run.procedure, {
      now: parts.clock.now(),
      busy: run.flying,
      signalled: run.signals.has,
    }).ready.length === 0;
  try {
    for (;;) {
      if (failures.length > 0) throw failures[0];
      if (run.rested) return 'WAITING';
      const planned = run.handoff.version;
      const { toUndo, ready } = plan();
      const room = maxParallelStepsOf(run.procedure) - running.size;
      for (const index of ready.slice(0, Math.max(0, room))) {
        run.flying.add(index);
        const done = compensateStep(parts, run, index)
          .catch((error: unknown) => {
            failures.push(error);
          })
          .finally(() => {
            running.delete(index);
            run.flying.delete(index);
          });
        running.set(index, done);
      }
      if (running.size > 0) {
        await untilNext(parts, run, running);
        continue;
      }
      if (toUndo.length === 0) break;
      // A compensation that ended meanwhile stored its outcome: plan again on it before letting go.
      if (run.handoff.version !== planned) continue;
      if (await parts.rest(run, (h) => handBack(h))) return 'WAITING';
    }
  } finally {
    await Promise.all(running.values());
  }
  if (run.handoff.steps.some((step) => step.status === 'COMPENSATION_FAILED'))
    return finishRun(parts, run, 'ROLLBACK_FAILED', 'some compensations failed; manual repair needed');
  if (run.cancelReason !== null)
    return finishRun(parts, run, 'CANCELLED', `cancelled and rolled back: ${run.cancelReason}`);
  return finishRun(parts, run, 'ROLLED_BACK', 'all completed steps were undone');
}

/** Waits for a compensation to end, a signal to arrive, or a waiting compensation's time to come. */
async function untilNext(parts: RunParts, run: ActiveRun, running: Map<number, Promise<void>>): Promise<void> {
  let due: number | null = null;
  run.handoff.steps.forEach((step, index) => {
    if (step.status !== 'COMPENSATING' || running.has(index)) return;
    const at = step.wait ? step.wait.until : step.retryAt;
    if (at != null && (due === null || at < due)) due = at;
  });
  const waits: Promise<unknown>[] = [...running.values(), run.nudge.next()];
  const wake = due === null ? null : wakeAfter(parts.clock, due - parts.clock.now());
  if (wake) waits.push(wake.woken);
  try {
    await Promise.race(waits);
  } finally {
    wake?.cancel();
  }
}

/**
 * Runs the compensation of step `index` until it succeeds, its step's retry policy is used up, or it waits.
 * Every attempt is stored (its number in `compensationAttempts`, a COMPENSATION_STARTED event) before it
 * runs, and an attempt that was running when a process stopped counts as used: however often the process
 * dies, a compensation never runs more often than its policy allows.
 */
async function compensateStep(parts: RunParts, run: ActiveRun, index: number): Promise<void> {
  const definition = definitionAt(run.procedure, run.handoff, index);
  const compensation = definition.compensation!;
  const { maxAttempts } = definition.retry;
  let lastError = INTERRUPTED_BY_RESTART;
  let durationMs = 0;
  for (;;) {
    const step = run.handoff.steps[index];
    // Absent in handoffs stored before compensation attempts were counted.
    const used = step.compensationAttempts ?? 0;
    let outcome: AttemptOutcome | null = null;
    if (step.status === 'COMPENSATING' && step.wait) {
      outcome = await resumeAttempt(parts, run, spec(parts, run, index, used, { data: step.wait.data }));
    } else if (step.status === 'COMPENSATING' && step.retryAt != null && step.retryAt > parts.clock.now()) {
      if ((await parts.suspend(run, index, (h) => handBack(h))) !== 'LOOK_AGAIN') return;
      continue;
    } else if (used >= maxAttempts) {
      // The last attempt was cut short by a stop (or its outcome never recorded): it counts as used.
      const attempts = Math.max(used, 1);
      await parts.commit(run, (h) => compensationFailed(h, index, compensation, attempts, lastError, durationMs));
      return;
    } else {
      const attempt = used + 1;
      await parts.commit(run, (h) => startCompensation(h, index, compensation, attempt, maxAttempts));
      outcome = await driveAttempt(parts, run, spec(parts, run, index, attempt, null));
    }
    if ('suspended' in outcome) return;
    const attempt = run.handoff.steps[index].compensationAttempts ?? 0;
    durationMs += outcome.durationMs;
    if (outcome.ok) {
      await parts.commit(run, (h) => compensationSucceeded(h, index, compensation, attempt, durationMs));
      return;
    }
    if (outcome.error instanceof ShutdownError) throw outcome.error;
    lastError = outcome.error.message;
    if (attempt >= maxAttempts) {
      const error = lastError;
      await parts.commit(run, (h) => compensationFailed(h, index, compensation, attempt, error, durationMs));
      return;
    }
    const delay = retryDelayMs(attempt + 1, definition.retry, parts.random);
    const error = lastError;
    const retry = compensationRetryScheduled;
    if (delay === 0) await parts.commit(run, (h) => retry(h, index, attempt, error, delay, parts.clock.now()));
    else if (
      (await parts.suspend(run, index, (h) => retry(h, index, attempt, error, delay, parts.clock.now()))) !==
      'LOOK_AGAIN'
    )
      return;
  }
}

function spec(
  parts: RunParts,
  run: ActiveRun,
  index: number,
  attempt: number,
  resumed: AttemptSpec['resumed'],
): AttemptSpec {
  const step = run.handoff.steps[index];
  const compensation = definitionAt(run.procedure, run.handoff, index).compensation!;
  return {
    index,
    handler: parts.stepKinds[compensation.kind],
    action: compensation,
    actionId: compensation.id,
    attempt,
    // A compensation attempt's timeout counts from when it started (a waiting one's wait keeps that time).
    startedAt: resumed && step.wait ? step.wait.startedAt : parts.clock.now(),
    resumed,
    // A cancel must not stop an undo: only shutdown cuts it short.
    outer: run.shutdown.signal,
    withFaults: false,
    suspendWith: (wait) => (h) => suspendCompensation(h, index, wait),
  };
}

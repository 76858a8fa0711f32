import type { StepWait } from '../handoff/handoff.js';
import { runOf } from '../handoff/handoff.js';
import { signalBelongsToRun } from '../handoff/step-signal.js';
import type { Action } from '../procedures/procedure.js';
import { type StepExecution, type StepKindHandler, Suspension } from '../steps/step-kind.js';
import type { ActiveRun, Change, RunParts } from './active-run.js';
import type { AbortSource } from './flight-abort.js';
import { type ActionResult, CancelledError, runAction, StepTimeoutError } from './run-action.js';

/** One attempt of a step or of a compensation, as the runner drives it. */
export interface AttemptSpec {
  /** The step it belongs to (or whose compensation it is). */
  index: number;
  handler: StepKindHandler;
  action: Action;
  /** The step's or the compensation's id. */
  actionId: string;
  attempt: number;
  /** When the attempt started: its timeout counts from then, across suspensions and restarts. */
  startedAt: number;
  /** What it kept when it suspended, if it did. */
  resumed: { data: Record<string, unknown> | null } | null;
  /** What cuts it short: a cancel or shutdown for a step, shutdown only for a compensation. */
  outer: AbortSource;
  /** Whether reliability faults apply (steps: yes; compensations: no). */
  withFaults: boolean;
  /** The transition that records the attempt waiting. */
  suspendWith(wait: StepWait): Change;
}

/** How an attempt ended this time: an output, a failure, or a wait (the handoff was handed back). */
export type AttemptOutcome = Exclude<ActionResult, { suspended: unknown }> | { suspended: true; durationMs: number };

/** The payload of a recorded signal a wait may take: a step signal of an earlier run (before a redrive) is not one. */
export function recordedFor(run: ActiveRun, name: string): unknown {
  const payload = run.signals.get(name);
  return payload !== undefined && signalBelongsToRun(payload, runOf(run.handoff)) ? payload : undefined;
}

function timeLeft(parts: RunParts, spec: AttemptSpec): number {
  return spec.startedAt + spec.action.timeoutMs - parts.clock.now();
}

/**
 * Runs the attempt until it has an outcome or waits. A wait is stored and the handoff handed back
 * (it holds no slot meanwhile) unless what it waits for is here already, or arrives while it is
 * stored: then the attempt goes on at once with what it kept.
 */
export async function driveAttempt(parts: RunParts, run: ActiveRun, spec: AttemptSpec): Promise<AttemptOutcome> {
  let resumed = spec.resumed;
  let durationMs = 0;
  for (;;) {
    const result = await runAction({
      handler: spec.handler,
      handoff: run.handoff,
      step: run.handoff.steps[spec.index],
      procedure: run.procedure,
      stepId: spec.actionId,
      action: spec.action,
      attempt: spec.attempt,
      timeoutMs: timeLeft(parts, spec),
      outer: spec.outer,
      recorded(name) {
        return recordedFor(run, name);
      },
      resumed,
      clock: parts.clock,
      random: parts.random,
      faults: spec.withFaults && !resumed ? parts.faults : null,
    });
    durationMs += result.durationMs;
    if (!('suspended' in result)) return { ...result, durationMs };
    if (!spec.handler.waitingFor?.(spec.action.params)) {
      const error = new Error(`step kind ${spec.action.kind} asked to wait, but it is not a kind that waits`);
      return { ok: false, error, durationMs };
    }
    const wait = parts.boundedWait(result.suspended, spec.startedAt, spec.action.timeoutMs);
    resumed = { data: wait.data };
    if (timeLeft(parts, spec) <= 0)
      return withDuration(
        await abandonAttempt(parts, run, spec, new StepTimeoutError(spec.action.timeoutMs)),
        durationMs,
      );
    // Stopped meanwhile (a cancel, or the run no longer needs it): it does not wait, it is taken back.
    if (spec.outer.aborted)
      return withDuration(await abandonAttempt(parts, run, spec, abortReason(spec.outer)), durationMs);
    // What it waits for is here already, or its own time has come: it goes on now.
    if ((wait.on !== null && recordedFor(run, wait.on) !== undefined) || wait.until <= parts.clock.now()) continue;
    if ((await parts.suspend(run, spec.index, spec.suspendWith(wait))) !== 'LOOK_AGAIN')
      return { suspended: true, durationMs };
    if (spec.outer.aborted)
      return withDuration(await abandonAttempt(parts, run, spec, abortReason(spec.outer)), durationMs);
  }
}

function withDuration(result: AttemptOutcome, durationMs: number): AttemptOutcome {
  return { ...result, durationMs: result.durationMs + durationMs };
}

function abortReason(signal: AbortSource): Error {
  return signal.reason instanceof Error ? signal.reason : new CancelledError(String(signal.reason));
}

/**
 * Ends a suspended attempt that will not go on (its timeout passed, or a cancel): the kind takes back
 * what it started outside, and may still answer with an output decided first (an agent's completion).
 */
export async function abandonAttempt(
  parts: RunParts,
  run: ActiveRun,
  spec: AttemptSpec,
  reason: Error,
): Promise<AttemptOutcome> {
  const started = parts.clock.now();
  if (!spec.handler.abandon) return { ok: false, error: reason, durationMs: 0 };
  const execution: StepExecution = {
    handoff: run.handoff,
    step: run.handoff.steps[spec.index],
    procedure: run.procedure,
    action: spec.action,
    actionId: spec.actionId,
    attempt: spec.attempt,
    signal: AbortSignal.abort(reason),
    clock: parts.clock,
    random: parts.random,
    recorded: (name) => recordedFor(run, name ?? spec.actionId),
    resumed: spec.resumed,
    suspend: (wait) => new Suspension(wait),
  };
  try {
    const output = await spec.handler.abandon(execution, reason);
    return { ok: true, output, durationMs: parts.clock.now() - started };
  } catch (error) {
    return {
      ok: false,
      error: error instanceof Error ? error : new Error(String(error)),
      durationMs: parts.clock.now() - started,
    };
  }
}

/** A suspended attempt going on now: its timeout or a cancel may end it before the kind runs again. */
export async function resumeAttempt(parts: RunParts, run: ActiveRun, spec: AttemptSpec): Promise<AttemptOutcome> {
  if (timeLeft(parts, spec) <= 0) return abandonAttempt(parts, run, spec, new StepTimeoutError(spec.action.timeoutMs));
  if (spec.outer.aborted) return abandonAttempt(parts, run, spec, abortReason(spec.outer));
  return driveAttempt(parts, run, spec);
}

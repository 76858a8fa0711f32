import { suspendAttempt } from '../handoff/handoff-transitions.js';
import { definitionAt } from '../procedures/branch-definition.js';
import type { ActiveRun, RunParts } from './active-run.js';
import { type AttemptSpec, driveAttempt, resumeAttempt } from './attempt.js';
import { type AbortSource, FlightAbort } from './flight-abort.js';
import { CancelledError, ShutdownError, StepStoppedError } from './run-action.js';
import { recordOutcome } from './step-outcome.js';
import { wakeAfter } from './wake-after.js';

/** How an attempt is taken up: one just stored as started, or one that waited (or was cut off) and goes on. */
export type FlightStart = 'start' | 'resume';

/**
 * The attempts of one handoff under way in this run, each until its outcome is stored. Each has its own
 * abort signal: the run's (a cancel, a shutdown) and the run's own decision to stop it (a join that no
 * longer needs the step, a rollback).
 */
export class Flights {
  private readonly running = new Map<number, { control: FlightAbort; done: Promise<void> }>();
  private failure: { error: unknown } | null = null;
  /** The run's abort (a cancel, a shutdown) passed on to every attempt under way: one listener for them all. */
  private readonly forwardAbort = () => {
    for (const { control } of this.running.values()) control.abort(this.run.abort.signal.reason);
  };

  constructor(
    private readonly parts: RunParts,
    private readonly run: ActiveRun,
  ) {
    run.abort.signal.addEventListener('abort', this.forwardAbort, { once: true });
  }

  get size(): number {
    return this.running.size;
  }

  /** Takes up step `index`'s attempt (pre-stopped with `stop`: it is only taken back and recorded). */
  launch(index: number, how: FlightStart, stop: StepStoppedError | null = null): void {
    const { run, parts } = this;
    run.startedHere.delete(index);
    if (this.running.has(index)) return;
    const control = new FlightAbort();
    const outer = run.abort.signal;
    // Aborted later, it reaches this attempt through forwardAbort.
    if (outer.aborted) control.abort(outer.reason);
    else if (stop) control.abort(stop);
    run.flying.add(index);
    const done = this.track(index, fly(parts, run, index, how, control));
    this.running.set(index, { control, done });
  }

  /** Waits for the flight of step `index` (one promise per attempt, not a chain of them), keeping what stopped it. */
  private async track(index: number, flight: Promise<void>): Promise<void> {
    try {
      await flight;
    } catch (error) {
      this.failure ??= { error };
    } finally {
      this.running.delete(index);
      this.run.flying.delete(index);
    }
  }

  /** Stops step `index`'s attempt under way here (its kind takes back what it started); its outcome is still recorded. */
  stop(index: number, reason: StepStoppedError): void {
    const flight = this.running.get(index);
    if (flight && !flight.control.aborted) flight.control.abort(reason);
  }

  stopEvery(reason: StepStoppedError): void {
    for (const index of this.running.keys()) this.stop(index, reason);
  }

  /** Throws what stopped an attempt's recording (a lost lease, a shutdown, a store gone away). */
  rethrow(): void {
    if (this.failure) throw this.failure.error;
  }

  /** Resolves when an attempt's outcome is stored, a signal or cancel arrives, or `dueAt` comes. */
  async next(dueAt: number | null): Promise<void> {
    const { clock } = this.parts;
    const waits: Promise<unknown>[] = [
      ...[...this.running.values()].map((flight) => flight.done),
      this.run.nudge.next(),
    ];
    const wake = dueAt === null ? null : wakeAfter(clock, dueAt - clock.now());
    if (wake) waits.push(wake.woken);
    try {
      await Promise.race(waits);
    } finally {
      wake?.cancel();
    }
  }

  /** Resolves when every attempt under way has its outcome stored. */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running.values()].map((flight) => flight.done));
  }

  /** Leaving the run early (an error): attempts still under way stop unrecorded, for the next run to resume. */
  async abandon(): Promise<void> {
    for (const flight of this.running.values()) flight.control.abort(new ShutdownError('the run stopped'));
    await this.drain();
    this.run.abort.signal.removeEventListener('abort', this.forwardAbort);
  }
}

/** One attempt of step `index`, from where it stands to its outcome, stored. */
async function fly(parts: RunParts, run: ActiveRun, index: number, how: FlightStart, signal: AbortSource) {
  const definition = definitionAt(run.procedure, run.handoff, index);
  const step = run.handoff.steps[index];
  const spec: AttemptSpec = {
    index,
    handler: parts.stepKinds[definition.kind],
    action: definition,
    actionId: definition.id,
    attempt: step.attempts,
    startedAt: step.attemptStartedAt ?? step.startedAt ?? parts.clock.now(),
    resumed: how === 'resume' && step.wait ? { data: step.wait.data } : null,
    outer: signal,
    withFaults: true,
    suspendWith(wait) {
      return (h) => suspendAttempt(h, wait, index);
    },
  };
  let outcome: Awaited<ReturnType<typeof driveAttempt>>;
  if (how === 'start') outcome = await driveAttempt(parts, run, spec);
  else {
    // A waiting attempt goes on, unless its timeout or a cancel ends it first.
    if (run.cancelReason !== null && !run.abort.signal.aborted) run.abort.abort(new CancelledError(run.cancelReason));
    outcome = await resumeAttempt(parts, run, spec);
  }
  const stopped = signal.reason instanceof StepStoppedError ? signal.reason : null;
  await recordOutcome(parts, run, index, outcome, stopped);
}

import { actorFrom, describeActor } from '../../shared/actor.js';
import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';
import type { Random } from '../../shared/random.js';
import { DEADLINE_EXCEEDED, failureCodeOf, INTERRUPTED_CODE } from '../handoff/failure-code.js';
import { type Handoff, isFinal, runOf, type StepRun } from '../handoff/handoff.js';
import type { HandoffEvent, HandoffEventDraft } from '../handoff/handoff-event.js';
import {
  type AfterSuccess,
  type AttemptFailure,
  completeHandoff,
  type FinalStatus,
  failGates,
  failStep,
  finish,
  isRefused,
  type PauseRequest,
  passGates,
  pause,
  recordInterruption,
  scheduleRetry,
  startAttempt,
  startRollback,
  succeedStep,
  type TransitionResult,
} from '../handoff/handoff-transitions.js';
import { duePause, PAUSE_SIGNAL } from '../handoff/pause-request.js';
import { isNonRetryableCode, nextRetryDelayMs } from '../handoff/retry-delay.js';
import { signalBelongsToRun } from '../handoff/step-signal.js';
import type { HandoffRecord, HandoffStore, OutOfBandRequests } from '../ports/handoff-store.js';
import type { Procedure, StepDefinition } from '../procedures/procedure.js';
import { StepFailure, type StepServices, transferredKeys } from '../steps/step-kind.js';
import { type CompensationRun, compensateStep } from './compensation.js';
import {
  CancelledError,
  type FaultHook,
  INTERRUPTED_BY_RESTART,
  runAction,
  ShutdownError,
  StepTimeoutError,
} from './run-action.js';
import { SignalBox, type SignalPolling } from './signal-box.js';

/** Our compare-and-set lost: another process owns the handoff now. Stop touching it. */
class LeaseLostError extends Error {
  constructor(id: string) {
    super(`lease on handoff ${id} lost`);
    this.name = 'LeaseLostError';
  }
}

export interface RunnerOptions {
  repository: HandoffStore;
  loadProcedure(id: string, version: number): Promise<Procedure | null>;
  /** Gate check before the first step: blocking rule failures (empty = pass). */
  checkGates(handoff: Handoff, procedure: Procedure): Promise<{ blocking: string[]; summary: string }>;
  services: StepServices;
  clock: Clock;
  random: Random;
  logger: Logger;
  /** This process's identity in leases. */
  owner: string;
  leaseMs: number;
  /** True when no other process can share the store (embedded): leases of others are stale by definition. */
  exclusiveStore: boolean;
  faults: FaultHook | null;
  /** Called when a run stopped on an unexpected error (e.g. the store went away), to try again later. */
  retryLater(id: string): void;
  publish(events: HandoffEvent[]): void;
}

/** A handoff this process is executing right now. */
interface ActiveRun {
  handoff: Handoff;
  procedure: Procedure;
  signals: SignalBox;
  cancelReason: string | null;
  /** Aborted by cancel or shutdown; the running attempt follows it. */
  abort: AbortController;
  /** Aborted by shutdown only: compensations, which a cancel must not stop, follow it. */
  shutdown: AbortController;
  /** Aborted when a pause is asked for: a retry back-off in progress stops waiting, to pause. */
  pauseAsked: AbortController;
  /** Aborted when the run ends: its deadline timer stops. */
  ended: AbortController;
}

/**
 * Executes handoffs as a durable state machine. Every change is one compare-and-set on the
 * stored handoff (guarded by version and lease) that also records its events, so a process
 * that dies mid-step leaves a state the next process can resume from.
 */
export class HandoffRunner {
  private readonly active = new Map<string, ActiveRun>();
  /**
   * Handoffs this process just created, stored already leased to us with their first events
   * written: running one needs no lease write, no read and no outbox flush.
   */
  private readonly created = new Map<string, { handoff: Handoff; leaseExpiresAt: number }>();
  /** Every run in progress in this process, from lease to release. */
  private readonly executions = new Map<string, Promise<void>>();
  private stopping = false;

  constructor(private readonly options: RunnerOptions) {}

  get activeIds(): string[] {
    return [...this.active.keys()];
  }

  isActive(id: string): boolean {
    return this.active.has(id);
  }

  /**
   * Runs (or resumes) one handoff to a final status, unless the lease is held elsewhere. A
   * second call while one runs for the same id joins it instead of racing it for the lease.
   * Never rejects: what stops a run (a failed store operation included) is logged and retried.
   */
  execute(id: string): Promise<void> {
    const running = this.executions.get(id);
    if (running) return running;
    if (this.stopping) return Promise.resolve();
    const execution = this.run(id).finally(() => this.executions.delete(id));
    this.executions.set(id, execution);
    return execution;
  }

  private async run(id: string): Promise<void> {
    const { logger } = this.options;
    let run: ActiveRun | undefined;
    let leased = false;
    let failed = false;
    try {
      const record = await this.leaseForRun(id);
      if (!record) return;
      leased = true;
      const procedure = await this.options.loadProcedure(record.handoff.procedureId, record.handoff.procedureVersion);
      if (!procedure)
        throw new Error(`procedure ${record.handoff.procedureId} v${record.handoff.procedureVersion} is missing`);
      run = {
        handoff: record.handoff,
        procedure,
        // A step signal given before a redrive decided the earlier run, not this one.
        signals: new SignalBox(record.signals, (payload) => signalBelongsToRun(payload, runOf(record.handoff))),
        cancelReason: record.cancelRequest?.reason ?? null,
        abort: new AbortController(),
        shutdown: new AbortController(),
        pauseAsked: new AbortController(),
        ended: new AbortController(),
      };
      this.active.set(id, run);
      this.watchDeadline(run);
      // stop() may have run while we were loading: it could not abort a run it did not see.
      if (this.stopping) this.shutDown(run);
      await this.drive(run);
    } catch (error) {
      if (error instanceof LeaseLostError || error instanceof ShutdownError) {
        logger.info({ handoffId: id, reason: error.message }, 'stopped running handoff');
      } else {
        // A failed store operation included: it ends this run, never the process.
        failed = true;
        logger.error({ handoffId: id, err: error }, 'handoff run stopped on an unexpected error; it will be resumed');
        this.options.retryLater(id);
      }
    } finally {
      run?.ended.abort();
      this.active.delete(id);
      // A final transition already gave the lease back. After a failure the lease is kept: until it
      // expires it holds other processes off while this one backs off and retries.
      if (leased && !failed && (!run || !(isFinal(run.handoff.status) || run.handoff.status === 'PAUSED'))) {
        await this.options.repository
          .releaseLease(id, this.options.owner)
          .catch((error) => logger.warn({ handoffId: id, err: error }, 'could not release lease'));
      }
    }
  }

  /** The handoff with its lease: the creation lease when enough of it is left, else taken from the store (null: someone else's). */
  private async leaseForRun(id: string): Promise<Pick<HandoffRecord, 'handoff' | 'signals' | 'cancelRequest'> | null> {
    const { repository, owner, clock, leaseMs, exclusiveStore } = this.options;
    const created = this.created.get(id);
    this.created.delete(id);
    // Signals or cancels recorded since creation arrive with the first commit.
    if (created && clock.now() < created.leaseExpiresAt - leaseMs / 3)
      return { handoff: created.handoff, signals: {}, cancelRequest: null };
    const stored = await repository.acquireLease(id, owner, clock.now(), leaseMs, exclusiveStore);
    // Events of a handoff created by this process were written already; anyone else's may not have been.
    if (stored && !created) await repository.flushOutbox(stored);
    return stored;
  }

  /** The lease a handoff created now is stored with, so that this process may run it without asking again. */
  creationLease(now: number): { owner: string; expiresAt: number } {
    return { owner: this.options.owner, expiresAt: now + this.options.leaseMs };
  }

  /** A handoff this process stored with `creationLease`, and its creation events, is ready to run. */
  adoptCreated(handoff: Handoff, leaseExpiresAt: number): void {
    this.created.set(handoff.id, { handoff, leaseExpiresAt });
  }

  /** Makes the next run read the handoff from the store (e.g. a cancel was recorded before it ran). */
  forgetCreated(id: string): void {
    this.created.delete(id);
  }

  /** Delivers a signal recorded in the store to the step waiting for it in this process (or a pause request to the run). */
  notifySignal(id: string, step: string, payload: unknown): void {
    const run = this.active.get(id);
    if (!run) return;
    run.signals.record(step, payload);
    if (step === PAUSE_SIGNAL && this.pauseDue(run)) run.pauseAsked.abort();
  }

  /** Aborts the running attempt of a handoff whose cancel was recorded in the store. */
  notifyCancel(id: string, reason: string): void {
    const run = this.active.get(id);
    if (!run || run.cancelReason !== null) return;
    run.cancelReason = reason;
    run.abort.abort(new CancelledError(reason));
  }

  /** Abandons running attempts (and compensations) without recording them; they resume after restart. */
  stop(): void {
    this.stopping = true;
    for (const run of this.active.values()) this.shutDown(run);
  }

  /** Resolves when this process is not running the handoff (any run of it here has stopped). */
  async settled(id: string): Promise<void> {
    await this.executions.get(id);
  }

  /** Resolves when every run started in this process has stopped. */
  async drained(): Promise<void> {
    while (this.executions.size > 0) await Promise.allSettled([...this.executions.values()]);
  }

  /**
   * Another process holds the handoff's lease now (this one stalled past it): the running attempt is
   * aborted and the run stops without recording anything; its next commit would be refused anyway.
   */
  notifyLeaseLost(id: string): void {
    const run = this.active.get(id);
    if (run) this.shutDown(run, new ShutdownError(`lease on handoff ${id} lost to another process`));
  }

  private shutDown(run: ActiveRun, reason = new ShutdownError()): void {
    run.shutdown.abort(reason);
    if (!run.abort.signal.aborted) run.abort.abort(reason);
  }

  private async drive(run: ActiveRun): Promise<void> {
    const { handoff } = run;
    if (this.deadlinePassed(run)) await this.expire(run);
    if (handoff.status === 'PAUSED') return this.settlePaused(run);
    // A redrive or a resume queues a handoff PENDING where it stopped: it goes on from its current step.
    const fresh = handoff.status === 'PENDING' && handoff.currentStep === 0 && (handoff.steps[0]?.attempts ?? 0) === 0;
    if (fresh) {
      if (run.cancelReason !== null)
        return this.finish(run, 'CANCELLED', `cancelled before start: ${run.cancelReason}`);
      if (await this.pauseIfAsked(run)) return;
      if (!(await this.passGates(run))) return;
    } else if (handoff.status !== 'PENDING') {
      await this.recordInterruption(run);
    }
    if (['PENDING', 'RUNNING', 'WAITING'].includes(run.handoff.status))
      await this.runSteps(run, !fresh && handoff.status !== 'PENDING');
    if (run.handoff.status === 'ROLLING_BACK') await this.rollBack(run);
  }

  /** A PAUSED handoff is run only to honour a cancel (it rolls back at once); otherwise it stays as it is. */
  private async settlePaused(run: ActiveRun): Promise<void> {
    if (run.cancelReason === null) return;
    await this.startRollback(run, `cancelled: ${run.cancelReason}`);
    if (run.handoff.status === 'ROLLING_BACK') await this.rollBack(run);
  }

  private async passGates(run: ActiveRun): Promise<boolean> {
    const { procedure } = run;
    const verdict = await this.options.checkGates(run.handoff, procedure).catch((error: Error) => ({
      blocking: ['GATES'],
      summary: `the validation gates could not run: ${error.message}`,
    }));
    const now = this.options.clock.now();
    if (verdict.blocking.length > 0) {
      const failed = await this.commit(run, failGates(run.handoff, verdict.summary, verdict.blocking, now));
      if (!failed) await this.finish(run, 'CANCELLED', `cancelled before start: ${run.cancelReason}`);
      return false;
    }
    await this.commit(run, passGates(run.handoff, procedure, verdict.summary, now));
    if (procedure.steps.length === 0) await this.finish(run, 'COMPLETED', 'procedure has no steps');
    return true;
  }

  /** A previous process was running this handoff when it stopped: say so in the history. */
  private async recordInterruption(run: ActiveRun): Promise<void> {
    await this.commit(run, recordInterruption(run.handoff));
  }

  private async runSteps(run: ActiveRun, resumedAfterStop: boolean): Promise<void> {
    let resumed = resumedAfterStop;
    while (run.handoff.currentStep < run.procedure.steps.length) {
      const index = run.handoff.currentStep;
      const definition = run.procedure.steps[index];
      const step = run.handoff.steps[index];
      if (run.cancelReason !== null) return this.startRollback(run, `cancelled: ${run.cancelReason}`);
      // Failed for good, but the run stopped before recording the rollback: never run it again.
      if (step.status === 'FAILED')
        return this.startRollback(run, run.handoff.error ?? step.error ?? `${definition.name} failed`);
      let action: StepDefinition = definition;
      if (resumed && step.status === 'WAITING' && definition.kind === 'await_signal') {
        // Waiting for a signal does nothing outside: after a restart (a clean one or not) the same
        // attempt goes on waiting, within what is left of its timeout, and costs no attempt.
        const elapsed =
          this.options.clock.now() - (step.attemptStartedAt ?? step.startedAt ?? this.options.clock.now());
        action = { ...definition, timeoutMs: Math.max(0, definition.timeoutMs - elapsed) };
      } else if (resumed && (step.status === 'RUNNING' || step.status === 'WAITING')) {
        // The attempt that was running when the last process died counts as failed.
        resumed = false;
        const interrupted = new StepFailure(INTERRUPTED_BY_RESTART, { code: INTERRUPTED_CODE });
        if (!(await this.afterFailure(run, definition, interrupted, 0, false))) return;
        continue;
      }
      resumed = false;
      if (step.status === 'PENDING') {
        // Between attempts: where a pause stops the handoff (a running attempt is never cut short by one).
        if (await this.pauseIfAsked(run)) return;
        await this.waitForRetry(run, step);
        if (run.cancelReason !== null || this.pauseDue(run)) continue;
        await this.commit(run, startAttempt(run.handoff, definition, this.options.clock.now()));
      }
      const result = await runAction(
        {
          handoff: run.handoff,
          stepId: definition.id,
          action,
          attempt: run.handoff.steps[index].attempts,
          outer: run.abort.signal,
          awaitSignal: (attemptSignal, name) => this.awaitSignal(run, name ?? definition.id, attemptSignal),
        },
        this.options.services,
        this.options.clock,
        this.options.faults,
      );
      if (!result.ok && result.error instanceof ShutdownError) throw result.error;
      const failure = result.ok ? await this.postStepCheck(run, definition, result.output) : result.error;
      if (!failure) await this.afterSuccess(run, definition, result.ok ? result.output : null, result.durationMs);
      else if (!(await this.afterFailure(run, definition, failure, result.durationMs, true))) return;
    }
    // Every step succeeded, yet the handoff is not finished: the run stopped between recording the last
    // step and finishing (a cancel had refused the completion, or the process died). Finish it now.
    if (run.handoff.status === 'RUNNING') await this.completeOrUndo(run);
  }

  /** Completes a handoff whose steps all succeeded, unless a recorded cancel refuses it: then everything is undone. */
  private async completeOrUndo(run: ActiveRun): Promise<void> {
    if (run.cancelReason === null && (await this.commit(run, completeHandoff(run.handoff, this.options.clock.now()))))
      return;
    await this.startRollback(run, `cancelled: ${run.cancelReason}`);
  }

  /**
   * The step's own rules, checked after it succeeds (with what it just transferred): a
   * blocking failure fails the attempt like any other error. Returns the failure, or null.
   */
  private async postStepCheck(
    run: ActiveRun,
    definition: StepDefinition,
    output: Record<string, unknown> | null,
  ): Promise<Error | null> {
    if (definition.validateRules.length === 0) return null;
    const transferred = transferredKeys([...run.handoff.steps, { output }]);
    try {
      const verdict = await this.options.services.validate(run.handoff, definition.validateRules, transferred);
      return verdict.blocking.length > 0
        ? new StepFailure(`post-step validation failed: ${verdict.summary}`, { code: 'VALIDATION_FAILED' })
        : null;
    } catch (error) {
      return new StepFailure(`post-step validation could not run: ${(error as Error).message}`, {
        code: 'VALIDATION_ERROR',
      });
    }
  }

  /** Sleeps until the step's retry is due; a cancel, a pause or shutdown cuts the wait short. */
  private async waitForRetry(run: ActiveRun, step: StepRun): Promise<void> {
    const wait = (step.retryAt ?? 0) - this.options.clock.now();
    if (wait <= 0) return;
    try {
      await this.options.clock.sleep(wait, AbortSignal.any([run.abort.signal, run.pauseAsked.signal]));
    } catch (error) {
      if (error instanceof ShutdownError) throw error;
    }
  }

  /** The pause request recorded for this handoff and not yet honoured, if any. */
  private pauseDue(run: ActiveRun): PauseRequest | null {
    return duePause(run.handoff, run.signals.get(PAUSE_SIGNAL));
  }

  /**
   * Pauses the handoff if a pause is due (true). A recorded cancel refuses the pause: then the
   * cancel is honoured instead (false, with `run.cancelReason` set).
   */
  private async pauseIfAsked(run: ActiveRun): Promise<boolean> {
    const request = this.pauseDue(run);
    if (!request || run.cancelReason !== null) return false;
    return this.commit(run, pause(run.handoff, request, this.options.clock.now()));
  }

  private async afterSuccess(
    run: ActiveRun,
    definition: StepDefinition,
    output: Record<string, unknown> | null,
    durationMs: number,
  ): Promise<void> {
    const now = this.options.clock.now();
    const index = run.handoff.currentStep;
    const next = run.procedure.steps[index + 1];
    const attempt = run.handoff.steps[index].attempts;
    const extra: HandoffEventDraft[] = [];
    if (definition.kind === 'await_signal') {
      const actor = actorFrom(output?.signalledBy);
      extra.push({
        type: 'STEP_SIGNALLED',
        step: definition.id,
        message: `approved by ${describeActor(actor)}`,
        attempt,
        data: { outcome: 'APPROVE', actor },
      });
    }
    const result = { output, durationMs, extra };
    // A pause asked for meanwhile stops the handoff here, before the next step starts.
    const after: AfterSuccess = next
      ? this.pauseDue(run)
        ? { followUp: 'HOLD' }
        : { followUp: 'START_NEXT', next }
      : { followUp: 'COMPLETE' };
    if (await this.commit(run, succeedStep(run.handoff, definition, result, after, now))) return;
    // A cancel was recorded while the last step ran, and acknowledged: it wins. The step's success is
    // recorded, then undone with the others.
    await this.commit(run, succeedStep(run.handoff, definition, result, { followUp: 'HOLD' }, now));
    await this.startRollback(run, `cancelled: ${run.cancelReason}`);
  }

  /** Records a failed attempt; schedules a retry or starts the rollback. Returns true to keep going. */
  private async afterFailure(
    run: ActiveRun,
    definition: StepDefinition,
    error: Error,
    durationMs: number,
    countable: boolean,
  ): Promise<boolean> {
    const now = this.options.clock.now();
    const index = run.handoff.currentStep;
    const attempt = run.handoff.steps[index].attempts;
    const code = failureCodeOf(error);
    // A step may fail for good (a rejection, an agent's terminal error, a code the policy lists) whatever attempts are left.
    const retryable =
      !(error instanceof StepFailure && !error.retryable) && !isNonRetryableCode(code, definition.retry);
    const failure: AttemptFailure = {
      message:
        error instanceof StepTimeoutError
          ? `attempt ${attempt} ${error.message}`
          : `attempt ${attempt} failed: ${error.message}`,
      code,
      durationMs,
      timeout: error instanceof StepTimeoutError,
      retryable,
      data: error instanceof StepFailure ? error.data : {},
    };
    const cancelled = error instanceof CancelledError || run.cancelReason !== null;
    if (!cancelled && retryable && attempt < definition.retry.maxAttempts) {
      const retryAfter = error instanceof StepFailure ? error.retryAfterMs : null;
      const delay = countable ? nextRetryDelayMs(attempt + 1, definition.retry, this.options.random, retryAfter) : 0;
      await this.commit(
        run,
        scheduleRetry(run.handoff, definition, failure, delay, now, countable ? retryAfter : null),
      );
      return true;
    }
    const reason = cancelled
      ? `cancelled: ${run.cancelReason}`
      : `${definition.name} failed after ${attempt} attempt(s)${retryable ? '' : ` (${code} is not retried)`}: ${error.message}`;
    await this.commit(run, failStep(run.handoff, definition, failure, reason, cancelled ? 'CANCELLED' : code, now));
    await this.startRollback(run, run.handoff.error!);
    return false;
  }

  private async startRollback(run: ActiveRun, reason: string): Promise<void> {
    const toUndo = this.stepsToCompensate(run);
    if (toUndo.length === 0) {
      const cancelled = run.cancelReason !== null;
      return this.finish(
        run,
        cancelled ? 'CANCELLED' : 'FAILED',
        cancelled ? reason : `${reason}; nothing to roll back`,
      );
    }
    await this.commit(
      run,
      startRollback(
        run.handoff,
        reason,
        toUndo.map((i) => run.handoff.steps[i].id),
        this.options.clock.now(),
      ),
    );
  }

  /** Indexes of completed steps with a compensation not yet done, latest first. */
  private stepsToCompensate(run: ActiveRun): number[] {
    const indexes: number[] = [];
    for (let i = run.handoff.steps.length - 1; i >= 0; i--) {
      const status = run.handoff.steps[i].status;
      if ((status === 'SUCCEEDED' || status === 'COMPENSATING') && run.procedure.steps[i].compensation) indexes.push(i);
    }
    return indexes;
  }

  /** Runs compensations in reverse step order; each attempt is reported as its own events. */
  private async rollBack(run: ActiveRun): Promise<void> {
    const compensating: CompensationRun = {
      get handoff() {
        return run.handoff;
      },
      procedure: run.procedure,
      shutdown: run.shutdown.signal,
      commit: (transition) => this.commit(run, transition),
      awaitNamedSignal: (attempt, name) => this.awaitSignal(run, name, attempt),
    };
    for (const index of this.stepsToCompensate(run)) await compensateStep(compensating, index, this.options);
    const failed = run.handoff.steps.some((step) => step.status === 'COMPENSATION_FAILED');
    if (failed) return this.finish(run, 'ROLLBACK_FAILED', 'some compensations failed; manual repair needed');
    if (run.cancelReason !== null)
      return this.finish(run, 'CANCELLED', `cancelled and rolled back: ${run.cancelReason}`);
    return this.finish(run, 'ROLLED_BACK', 'all completed steps were undone');
  }

  private async finish(run: ActiveRun, status: FinalStatus, message: string): Promise<void> {
    const finished = await this.commit(
      run,
      finish(run.handoff, status, message, run.cancelReason, this.options.clock.now()),
    );
    // Refused: a cancel was recorded (and acknowledged) since we last looked; it decides how this ends.
    if (!finished)
      await this.finish(
        run,
        'CANCELLED',
        `${status === 'ROLLED_BACK' ? 'cancelled and rolled back' : 'cancelled'}: ${run.cancelReason}`,
      );
  }

  // ---- Deadlines --------------------------------------------------------------------------------

  private deadlinePassed(run: ActiveRun): boolean {
    const { deadlineAt } = run.handoff;
    return (
      deadlineAt != null &&
      run.handoff.status !== 'PAUSED' &&
      this.options.clock.now() >= deadlineAt &&
      run.cancelReason === null
    );
  }

  /** Fires the handoff's deadline while this run lasts (a PAUSED handoff's does not run: it has no run). */
  private watchDeadline(run: ActiveRun): void {
    const { deadlineAt } = run.handoff;
    if (deadlineAt == null || run.handoff.status === 'PAUSED') return;
    this.options.clock
      .sleep(Math.max(0, deadlineAt - this.options.clock.now()), run.ended.signal)
      .then(() => this.expire(run))
      .catch(() => undefined);
  }

  /**
   * The deadline passed: it is recorded as a cancel (DEADLINE_EXCEEDED), so everything a cancel
   * guarantees holds (the running attempt is aborted, completed steps are undone, nothing ends as if
   * it had not been cancelled), and another process running the handoff hears of it the same way.
   */
  private async expire(run: ActiveRun): Promise<void> {
    if (run.cancelReason !== null || run.ended.signal.aborted) return;
    const reason = `${DEADLINE_EXCEEDED}: the deadline ${new Date(run.handoff.deadlineAt!).toISOString()} passed`;
    try {
      await this.options.repository.requestCancel(run.handoff.id, reason, this.options.clock.now());
      // Refused when rolling back already (or a cancel won the race): a recorded cancel arrives with the next commit.
      const requests = await this.options.repository.requests(run.handoff.id);
      if (requests?.cancelRequest) this.notifyCancel(run.handoff.id, requests.cancelRequest.reason);
    } catch (error) {
      this.options.logger.warn(
        { handoffId: run.handoff.id, err: error },
        'could not record a passed deadline; it is tried again at the next run',
      );
    }
  }

  private awaitSignal(run: ActiveRun, step: string, attemptSignal: AbortSignal): Promise<unknown> {
    // Only another process can record a signal this one did not hear of: a store it shares. Its notice
    // arrives through the change feed; the store is read as often as leases are renewed in case a
    // notice never came (a change stream that failed).
    const polling: SignalPolling | null = this.options.exclusiveStore
      ? null
      : {
          clock: this.options.clock,
          everyMs: Math.max(50, Math.floor(this.options.leaseMs / 3)),
          read: () => this.options.repository.requests(run.handoff.id),
          onCancel: (reason) => this.notifyCancel(run.handoff.id, reason),
        };
    return run.signals.wait(step, attemptSignal, polling);
  }

  /**
   * Stores a transition (see handoff-transitions.ts) as one compare-and-set. The store also tells us
   * of cancels and signals written meanwhile. False when the store refused the change because it
   * would end (or pause) the handoff ignoring a recorded cancel (then `run.cancelReason` is set and
   * the caller ends it another way); a lost guard throws LeaseLostError.
   */
  private async commit(run: ActiveRun, transition: TransitionResult): Promise<boolean> {
    // The runner only asks for transitions its own state allows: a refusal here is a bug, not a race.
    if (isRefused(transition)) throw new Error(`handoff ${run.handoff.id}: ${transition.refused.message}`);
    const { next, events, writesMetadata } = transition;
    const stored = await this.options.repository.transition(
      next,
      events,
      this.options.clock.now(),
      this.options.owner,
      { writesMetadata },
    );
    if (!stored.applied && stored.reason !== 'CANCEL_REQUESTED') throw new LeaseLostError(next.id);
    if (stored.applied) run.handoff = next;
    this.absorb(run, stored.requests);
    if (!stored.applied) return false;
    this.options.publish(stored.events);
    return true;
  }

  private absorb(run: ActiveRun, record: OutOfBandRequests): void {
    run.signals.recordAll(record.signals);
    if (record.cancelRequest && run.cancelReason === null)
      this.notifyCancel(run.handoff.id, record.cancelRequest.reason);
    if (this.pauseDue(run)) run.pauseAsked.abort();
  }
}

import type { HandoffRecord, HandoffStore, OutOfBandRequests } from '../ports/handoff-store.js';
import type { Procedure, StepDefinition } from '../procedures/procedure.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { Random } from '../shared/random.js';
import { actorFrom, describeActor } from '../shared/actor.js';
import { isFinal, type Handoff, type StepRun } from './handoff.js';
import { FINAL_EVENT_BY_STATUS, type HandoffEvent, type HandoffEventDraft } from './handoff-event.js';
import { compensateStep, type CompensationRun } from './compensation.js';
import { retryDelayMs } from './retry-delay.js';
import { CancelledError, INTERRUPTED_BY_RESTART, runAction, ShutdownError, StepTimeoutError, type FaultHook } from './run-action.js';
import { SignalBox, type SignalPolling } from './signal-box.js';
import { STEP_KIND_REGISTRY } from './steps/registry.js';
import { StepFailure, transferredKeys, type StepServices } from './steps/step-kind.js';

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
}

/** A step that was started (or due to start) but will never finish reads as FAILED, not RUNNING. */
function abandonCurrentStep(h: Handoff, reason: string, now: number): void {
  const step = h.steps[h.currentStep];
  if (!step || !['RUNNING', 'WAITING', 'PENDING'].includes(step.status) || step.attempts === 0) return;
  step.status = 'FAILED';
  step.error ??= reason;
  step.finishedAt = now;
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
      if (!procedure) throw new Error(`procedure ${record.handoff.procedureId} v${record.handoff.procedureVersion} is missing`);
      run = {
        handoff: record.handoff,
        procedure,
        signals: new SignalBox(record.signals),
        cancelReason: record.cancelRequest?.reason ?? null,
        abort: new AbortController(),
        shutdown: new AbortController(),
      };
      this.active.set(id, run);
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
      this.active.delete(id);
      // A final transition already gave the lease back. After a failure the lease is kept: until it
      // expires it holds other processes off while this one backs off and retries.
      if (leased && !failed && (!run || !isFinal(run.handoff.status))) {
        await this.options.repository.releaseLease(id, this.options.owner).catch((error) => logger.warn({ handoffId: id, err: error }, 'could not release lease'));
      }
    }
  }

  /** The handoff with its lease: the creation lease when enough of it is left, else taken from the store (null: someone else's). */
  private async leaseForRun(id: string): Promise<Pick<HandoffRecord, 'handoff' | 'signals' | 'cancelRequest'> | null> {
    const { repository, owner, clock, leaseMs, exclusiveStore } = this.options;
    const created = this.created.get(id);
    this.created.delete(id);
    // Signals or cancels recorded since creation arrive with the first commit.
    if (created && clock.now() < created.leaseExpiresAt - leaseMs / 3) return { handoff: created.handoff, signals: {}, cancelRequest: null };
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

  /** Delivers a signal recorded in the store to the step waiting for it in this process. */
  notifySignal(id: string, step: string, payload: unknown): void {
    this.active.get(id)?.signals.record(step, payload);
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
    const resumed = handoff.status !== 'PENDING';
    if (!resumed) {
      if (run.cancelReason !== null) return this.finish(run, 'CANCELLED', `cancelled before start: ${run.cancelReason}`);
      if (!(await this.passGates(run))) return;
    } else {
      await this.recordInterruption(run);
    }
    if (run.handoff.status === 'RUNNING' || run.handoff.status === 'WAITING') await this.runSteps(run, resumed);
    if (run.handoff.status === 'ROLLING_BACK') await this.rollBack(run);
  }

  private async passGates(run: ActiveRun): Promise<boolean> {
    const { handoff, procedure } = run;
    const verdict = await this.options.checkGates(handoff, procedure).catch((error: Error) => ({
      blocking: ['GATES'],
      summary: `the validation gates could not run: ${error.message}`,
    }));
    const now = this.options.clock.now();
    if (verdict.blocking.length > 0) {
      const failed = await this.commit(run, (h) => {
        h.status = 'FAILED';
        h.error = `validation gates failed: ${verdict.summary}`;
        h.startedAt = now;
        h.finishedAt = now;
      }, [
        { type: 'GATES_FAILED', step: null, message: verdict.summary, data: { rules: verdict.blocking } },
        { type: 'HANDOFF_FAILED', step: null, message: `validation gates failed: ${verdict.blocking.join(', ')}` },
      ]);
      if (!failed) await this.finish(run, 'CANCELLED', `cancelled before start: ${run.cancelReason}`);
      return false;
    }
    const first = procedure.steps[0];
    await this.commit(run, (h) => {
      h.status = 'RUNNING';
      h.startedAt = now;
      if (first) this.markAttemptStarted(h, 0, now);
    }, [
      { type: 'GATES_PASSED', step: null, message: verdict.summary },
      { type: 'HANDOFF_STARTED', step: null, message: `running ${procedure.name} v${procedure.version}` },
      ...(first ? [this.stepStartedEvent(first, 1)] : []),
    ]);
    if (!first) await this.finish(run, 'COMPLETED', 'procedure has no steps');
    return true;
  }

  /** A previous process was running this handoff when it stopped: say so in the history. */
  private async recordInterruption(run: ActiveRun): Promise<void> {
    const step = run.handoff.steps[run.handoff.currentStep];
    await this.commit(run, () => undefined, [
      {
        type: 'HANDOFF_INTERRUPTED',
        step: step?.id ?? null,
        message: `resumed after the previous runner stopped (status ${run.handoff.status}${step ? `, step ${step.id} attempt ${step.attempts}` : ''})`,
        attempt: step?.attempts,
      },
    ]);
  }

  private async runSteps(run: ActiveRun, resumedAfterStop: boolean): Promise<void> {
    let resumed = resumedAfterStop;
    while (run.handoff.currentStep < run.procedure.steps.length) {
      const index = run.handoff.currentStep;
      const definition = run.procedure.steps[index];
      const step = run.handoff.steps[index];
      if (run.cancelReason !== null) return this.startRollback(run, `cancelled: ${run.cancelReason}`);
      // Failed for good, but the run stopped before recording the rollback: never run it again.
      if (step.status === 'FAILED') return this.startRollback(run, run.handoff.error ?? step.error ?? `${definition.name} failed`);
      let action: StepDefinition = definition;
      if (resumed && step.status === 'WAITING' && definition.kind === 'await_signal') {
        // Waiting for a signal does nothing outside: after a restart (a clean one or not) the same
        // attempt goes on waiting, within what is left of its timeout, and costs no attempt.
        const elapsed = this.options.clock.now() - (step.attemptStartedAt ?? step.startedAt ?? this.options.clock.now());
        action = { ...definition, timeoutMs: Math.max(0, definition.timeoutMs - elapsed) };
      } else if (resumed && (step.status === 'RUNNING' || step.status === 'WAITING')) {
        // The attempt that was running when the last process died counts as failed.
        resumed = false;
        if (!(await this.afterFailure(run, definition, new Error(INTERRUPTED_BY_RESTART), 0, false))) return;
        continue;
      }
      resumed = false;
      if (step.status === 'PENDING') {
        await this.waitForRetry(run, step);
        if (run.cancelReason !== null) continue;
        await this.startAttempt(run, definition);
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
    if (run.cancelReason === null) {
      const now = this.options.clock.now();
      const completed = await this.commit(run, (h) => {
        h.status = 'COMPLETED';
        h.finishedAt = now;
      }, [{ type: 'HANDOFF_COMPLETED', step: null, message: 'all steps succeeded' }]);
      if (completed) return;
    }
    await this.startRollback(run, `cancelled: ${run.cancelReason}`);
  }

  /**
   * The step's own rules, checked after it succeeds (with what it just transferred): a
   * blocking failure fails the attempt like any other error. Returns the failure, or null.
   */
  private async postStepCheck(run: ActiveRun, definition: StepDefinition, output: Record<string, unknown> | null): Promise<Error | null> {
    if (definition.validateRules.length === 0) return null;
    const transferred = transferredKeys([...run.handoff.steps, { output }]);
    try {
      const verdict = await this.options.services.validate(run.handoff, definition.validateRules, transferred);
      return verdict.blocking.length > 0 ? new StepFailure(`post-step validation failed: ${verdict.summary}`) : null;
    } catch (error) {
      return new StepFailure(`post-step validation could not run: ${(error as Error).message}`);
    }
  }

  private async waitForRetry(run: ActiveRun, step: StepRun): Promise<void> {
    const wait = (step.retryAt ?? 0) - this.options.clock.now();
    if (wait <= 0) return;
    try {
      await this.options.clock.sleep(wait, run.abort.signal);
    } catch (error) {
      if (error instanceof ShutdownError) throw error;
    }
  }

  private async startAttempt(run: ActiveRun, definition: StepDefinition): Promise<void> {
    const now = this.options.clock.now();
    const attempt = run.handoff.steps[run.handoff.currentStep].attempts + 1;
    await this.commit(run, (h) => this.markAttemptStarted(h, h.currentStep, now), [this.stepStartedEvent(definition, attempt)]);
  }

  private markAttemptStarted(h: Handoff, index: number, now: number): void {
    const step = h.steps[index];
    const waits = STEP_KIND_REGISTRY.get(step.kind)?.waits ?? false;
    step.status = waits ? 'WAITING' : 'RUNNING';
    step.attempts += 1;
    step.startedAt ??= now;
    step.attemptStartedAt = now;
    step.retryAt = null;
    h.currentStep = index;
    h.status = waits ? 'WAITING' : 'RUNNING';
  }

  private stepStartedEvent(definition: StepDefinition, attempt: number): HandoffEventDraft {
    const waits = STEP_KIND_REGISTRY.get(definition.kind)?.waits ?? false;
    return {
      type: waits ? 'STEP_WAITING' : 'STEP_STARTED',
      step: definition.id,
      attempt,
      message: waits
        ? `${definition.name}: waiting for ${STEP_KIND_REGISTRY.get(definition.kind)?.waitingFor ?? 'signalHandoff'} (attempt ${attempt}, up to ${definition.timeoutMs} ms)`
        : `${definition.name}: attempt ${attempt} of ${definition.retry.maxAttempts}`,
    };
  }

  private async afterSuccess(run: ActiveRun, definition: StepDefinition, output: Record<string, unknown> | null, durationMs: number): Promise<void> {
    const now = this.options.clock.now();
    const index = run.handoff.currentStep;
    const next = run.procedure.steps[index + 1];
    const attempt = run.handoff.steps[index].attempts;
    const drafts: HandoffEventDraft[] = [];
    if (definition.kind === 'await_signal') {
      const actor = actorFrom(output?.signalledBy);
      drafts.push({ type: 'STEP_SIGNALLED', step: definition.id, message: `approved by ${describeActor(actor)}`, attempt, data: { outcome: 'APPROVE', actor } });
    }
    drafts.push({ type: 'STEP_SUCCEEDED', step: definition.id, attempt, durationMs, message: `${definition.name} succeeded on attempt ${attempt}` });
    const succeed = (h: Handoff) => {
      const step = h.steps[index];
      step.status = 'SUCCEEDED';
      step.finishedAt = now;
      step.output = output;
    };
    if (next) {
      await this.commit(run, (h) => {
        succeed(h);
        this.markAttemptStarted(h, index + 1, now);
      }, [...drafts, this.stepStartedEvent(next, 1)]);
      return;
    }
    const completed = await this.commit(run, (h) => {
      succeed(h);
      h.currentStep = index + 1;
      h.status = 'COMPLETED';
      h.finishedAt = now;
    }, [...drafts, { type: 'HANDOFF_COMPLETED', step: null, message: 'all steps succeeded' }]);
    if (completed) return;
    // A cancel was recorded while the last step ran, and acknowledged: it wins. The step's success is
    // recorded, then undone with the others.
    await this.commit(run, (h) => {
      succeed(h);
      h.currentStep = index + 1;
    }, drafts);
    await this.startRollback(run, `cancelled: ${run.cancelReason}`);
  }

  /** Records a failed attempt; schedules a retry or starts the rollback. Returns true to keep going. */
  private async afterFailure(run: ActiveRun, definition: StepDefinition, error: Error, durationMs: number, countable: boolean): Promise<boolean> {
    const now = this.options.clock.now();
    const index = run.handoff.currentStep;
    const attempt = run.handoff.steps[index].attempts;
    const message = error instanceof StepTimeoutError ? `attempt ${attempt} ${error.message}` : `attempt ${attempt} failed: ${error.message}`;
    // A step may fail for good (a rejection, an agent's terminal error) whatever attempts are left.
    const retryable = !(error instanceof StepFailure) || error.retryable;
    const details = error instanceof StepFailure ? { ...error.data, retryable } : {};
    const failed: HandoffEventDraft = { type: 'STEP_FAILED', step: definition.id, attempt, durationMs, message, data: { timeout: error instanceof StepTimeoutError, ...details } };
    const cancelled = error instanceof CancelledError || run.cancelReason !== null;
    if (!cancelled && retryable && attempt < definition.retry.maxAttempts) {
      const delay = countable ? retryDelayMs(attempt + 1, definition.retry, this.options.random) : 0;
      await this.commit(run, (h) => {
        const step = h.steps[index];
        step.status = 'PENDING';
        step.error = message;
        step.retryAt = now + delay;
        h.status = 'RUNNING';
      }, [failed, { type: 'STEP_RETRY_SCHEDULED', step: definition.id, attempt: attempt + 1, message: `retrying in ${delay} ms`, data: { delayMs: delay } }]);
      return true;
    }
    await this.commit(run, (h) => {
      const step = h.steps[index];
      step.status = 'FAILED';
      step.error = message;
      step.finishedAt = now;
      h.error = cancelled ? `cancelled: ${run.cancelReason}` : `${definition.name} failed after ${attempt} attempt(s): ${error.message}`;
    }, [failed]);
    await this.startRollback(run, run.handoff.error!);
    return false;
  }

  private async startRollback(run: ActiveRun, reason: string): Promise<void> {
    const toUndo = this.stepsToCompensate(run);
    const now = this.options.clock.now();
    if (toUndo.length === 0) {
      const cancelled = run.cancelReason !== null;
      return this.finish(run, cancelled ? 'CANCELLED' : 'FAILED', cancelled ? reason : `${reason}; nothing to roll back`);
    }
    await this.commit(run, (h) => {
      abandonCurrentStep(h, reason, now);
      h.status = 'ROLLING_BACK';
      h.error ??= reason;
    }, [{ type: 'ROLLBACK_STARTED', step: null, message: `${reason}; undoing ${toUndo.map((i) => run.handoff.steps[i].id).join(', ')}` }]);
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
      commit: (change, drafts) => this.commit(run, change, drafts),
      awaitNamedSignal: (attempt, name) => this.awaitSignal(run, name, attempt),
    };
    for (const index of this.stepsToCompensate(run)) await compensateStep(compensating, index, this.options);
    const failed = run.handoff.steps.some((step) => step.status === 'COMPENSATION_FAILED');
    if (failed) return this.finish(run, 'ROLLBACK_FAILED', 'some compensations failed; manual repair needed');
    if (run.cancelReason !== null) return this.finish(run, 'CANCELLED', `cancelled and rolled back: ${run.cancelReason}`);
    return this.finish(run, 'ROLLED_BACK', 'all completed steps were undone');
  }

  private async finish(run: ActiveRun, status: keyof typeof FINAL_EVENT_BY_STATUS, message: string): Promise<void> {
    const now = this.options.clock.now();
    const finished = await this.commit(run, (h) => {
      if (status !== 'COMPLETED') abandonCurrentStep(h, message, now);
      h.status = status;
      h.startedAt ??= now;
      h.finishedAt = now;
      if (status === 'CANCELLED') h.cancelReason = run.cancelReason;
    }, [{ type: FINAL_EVENT_BY_STATUS[status], step: null, message }]);
    // Refused: a cancel was recorded (and acknowledged) since we last looked; it decides how this ends.
    if (!finished) await this.finish(run, 'CANCELLED', `${status === 'ROLLED_BACK' ? 'cancelled and rolled back' : 'cancelled'}: ${run.cancelReason}`);
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
   * Applies `change` to the handoff and stores it with `drafts` as one compare-and-set. The store
   * also tells us of cancels and signals written meanwhile. False when the store refused the change
   * because it would end the handoff ignoring a recorded cancel (then `run.cancelReason` is set and
   * the caller ends it another way); every other change is always applied or throws.
   */
  private async commit(run: ActiveRun, change: (h: Handoff) => void, drafts: HandoffEventDraft[]): Promise<boolean> {
    // Changes touch top-level fields and step records only; metadata is shared, never mutated.
    const next: Handoff = { ...run.handoff, steps: run.handoff.steps.map((step) => ({ ...step })) };
    change(next);
    next.version += 1;
    next.seq += drafts.length;
    const stored = await this.options.repository.transition(next, drafts, this.options.clock.now(), this.options.owner);
    if (!stored) throw new LeaseLostError(next.id);
    if (stored.applied) run.handoff = next;
    this.absorb(run, stored.requests);
    if (!stored.applied) return false;
    this.options.publish(stored.events);
    return true;
  }

  private absorb(run: ActiveRun, record: OutOfBandRequests): void {
    run.signals.recordAll(record.signals);
    if (record.cancelRequest && run.cancelReason === null) this.notifyCancel(run.handoff.id, record.cancelRequest.reason);
  }
}

import type { HandoffRecord, HandoffStore, OutOfBandRequests } from '../ports/handoff-store.js';
import type { Compensation, Procedure, StepDefinition } from '../procedures/procedure.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { Random } from '../shared/random.js';
import { actorFrom, describeActor } from '../shared/actor.js';
import { isFinal, type Handoff, type StepRun } from './handoff.js';
import { FINAL_EVENT_BY_STATUS, type HandoffEvent, type HandoffEventDraft } from './handoff-event.js';
import { retryDelayMs } from './retry-delay.js';
import { CancelledError, INTERRUPTED_BY_RESTART, runAction, ShutdownError, StepTimeoutError, type FaultHook } from './run-action.js';
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
  signals: Record<string, unknown>;
  cancelReason: string | null;
  /** Aborted by cancel or shutdown; the running attempt follows it. */
  abort: AbortController;
  /** Aborted by shutdown only: compensations, which a cancel must not stop, follow it. */
  shutdown: AbortController;
  /** The attempt waiting for a signal now, and the signal's name. */
  signalWaiter: { name: string; done: (payload: unknown) => void } | null;
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
    const { repository, owner, clock, leaseMs, exclusiveStore, logger } = this.options;
    const created = this.created.get(id);
    this.created.delete(id);
    let record: Pick<HandoffRecord, 'handoff' | 'signals' | 'cancelRequest'> | null;
    // Enough of the creation lease left: it is ours. Signals or cancels recorded since arrive with the first commit.
    if (created && clock.now() < created.leaseExpiresAt - leaseMs / 3) record = { handoff: created.handoff, signals: {}, cancelRequest: null };
    else {
      const stored = await repository.acquireLease(id, owner, clock.now(), leaseMs, exclusiveStore);
      // Events of a handoff created by this process were written already; anyone else's may not have been.
      if (stored && !created) await repository.flushOutbox(stored);
      record = stored;
    }
    if (!record) return;
    let run: ActiveRun | undefined;
    try {
      const procedure = await this.options.loadProcedure(record.handoff.procedureId, record.handoff.procedureVersion);
      if (!procedure) throw new Error(`procedure ${record.handoff.procedureId} v${record.handoff.procedureVersion} is missing`);
      run = {
        handoff: record.handoff,
        procedure,
        signals: record.signals,
        cancelReason: record.cancelRequest?.reason ?? null,
        abort: new AbortController(),
        shutdown: new AbortController(),
        signalWaiter: null,
      };
      this.active.set(id, run);
      // stop() may have run while we were loading: it could not abort a run it did not see.
      if (this.stopping) this.shutDown(run);
      await this.drive(run);
    } catch (error) {
      if (error instanceof LeaseLostError || error instanceof ShutdownError) {
        logger.info({ handoffId: id, reason: error.message }, 'stopped running handoff');
      } else {
        logger.error({ handoffId: id, err: error }, 'handoff run stopped on an unexpected error; it will be resumed');
        this.options.retryLater(id);
      }
    } finally {
      this.active.delete(id);
      // A final transition already gave the lease back.
      if (!run || !isFinal(run.handoff.status)) {
        await repository.releaseLease(id, owner).catch((error) => logger.warn({ handoffId: id, err: error }, 'could not release lease'));
      }
    }
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
    const run = this.active.get(id);
    if (!run) return;
    run.signals[step] = payload;
    if (run.signalWaiter?.name === step) run.signalWaiter.done(payload);
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

  private shutDown(run: ActiveRun): void {
    const reason = new ShutdownError();
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
      await this.commit(run, (h) => {
        h.status = 'FAILED';
        h.error = `validation gates failed: ${verdict.summary}`;
        h.startedAt = now;
        h.finishedAt = now;
      }, [
        { type: 'GATES_FAILED', step: null, message: verdict.summary, data: { rules: verdict.blocking } },
        { type: 'HANDOFF_FAILED', step: null, message: `validation gates failed: ${verdict.blocking.join(', ')}` },
      ]);
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
      if (resumed && (step.status === 'RUNNING' || step.status === 'WAITING')) {
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
          action: definition,
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
    if (next) drafts.push(this.stepStartedEvent(next, 1));
    else drafts.push({ type: 'HANDOFF_COMPLETED', step: null, message: 'all steps succeeded' });
    await this.commit(run, (h) => {
      const step = h.steps[index];
      step.status = 'SUCCEEDED';
      step.finishedAt = now;
      step.output = output;
      if (next) this.markAttemptStarted(h, index + 1, now);
      else {
        h.currentStep = index + 1;
        h.status = 'COMPLETED';
        h.finishedAt = now;
      }
    }, drafts);
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

  /** Runs compensations in reverse step order; each is reported as its own events. */
  private async rollBack(run: ActiveRun): Promise<void> {
    for (const index of this.stepsToCompensate(run)) {
      const compensation = run.procedure.steps[index].compensation!;
      await this.commit(run, (h) => {
        h.steps[index].status = 'COMPENSATING';
      }, [{ type: 'COMPENSATION_STARTED', step: run.handoff.steps[index].id, message: `${compensation.name} started` }]);
      const result = await this.compensate(run, index, compensation);
      await this.commit(run, (h) => {
        h.steps[index].status = result.ok ? 'COMPENSATED' : 'COMPENSATION_FAILED';
        if (!result.ok) h.steps[index].error = `compensation failed: ${result.error}`;
      }, [
        result.ok
          ? { type: 'COMPENSATION_SUCCEEDED', step: run.handoff.steps[index].id, durationMs: result.durationMs, message: `${compensation.name} succeeded` }
          : { type: 'COMPENSATION_FAILED', step: run.handoff.steps[index].id, durationMs: result.durationMs, message: `${compensation.name} failed: ${result.error}` },
      ]);
    }
    const failed = run.handoff.steps.some((step) => step.status === 'COMPENSATION_FAILED');
    if (failed) return this.finish(run, 'ROLLBACK_FAILED', 'some compensations failed; manual repair needed');
    if (run.cancelReason !== null) return this.finish(run, 'CANCELLED', `cancelled and rolled back: ${run.cancelReason}`);
    return this.finish(run, 'ROLLED_BACK', 'all completed steps were undone');
  }

  /** A compensation gets the step's retry policy; cancel does not stop it, shutdown does. */
  private async compensate(run: ActiveRun, index: number, compensation: Compensation): Promise<{ ok: boolean; error?: string; durationMs: number }> {
    const policy = run.procedure.steps[index].retry;
    const shutdown = run.shutdown.signal;
    const noSignals = () => Promise.reject(new StepFailure('compensations cannot wait for signals'));
    let last = '';
    let total = 0;
    for (let attempt = 1; attempt <= policy.maxAttempts; attempt++) {
      const result = await runAction(
        {
          handoff: run.handoff,
          stepId: compensation.id,
          action: compensation,
          attempt,
          outer: shutdown,
          // Named signals only (an agent task's outcome): nobody can signalHandoff a compensation.
          awaitSignal: (attemptSignal, name) => (name ? this.awaitSignal(run, name, attemptSignal) : noSignals()),
        },
        this.options.services,
        this.options.clock,
        null,
      );
      total += result.durationMs;
      if (result.ok) return { ok: true, durationMs: total };
      if (result.error instanceof ShutdownError) throw result.error;
      last = result.error.message;
      if (attempt < policy.maxAttempts) await this.options.clock.sleep(retryDelayMs(attempt + 1, policy, this.options.random), shutdown);
    }
    return { ok: false, error: last, durationMs: total };
  }


  private async finish(run: ActiveRun, status: keyof typeof FINAL_EVENT_BY_STATUS, message: string): Promise<void> {
    const now = this.options.clock.now();
    await this.commit(run, (h) => {
      if (status !== 'COMPLETED') abandonCurrentStep(h, message, now);
      h.status = status;
      h.startedAt ??= now;
      h.finishedAt = now;
      if (status === 'CANCELLED') h.cancelReason = run.cancelReason;
    }, [{ type: FINAL_EVENT_BY_STATUS[status], step: null, message }]);
  }

  private awaitSignal(run: ActiveRun, step: string, attemptSignal: AbortSignal): Promise<unknown> {
    if (step in run.signals) return Promise.resolve(run.signals[step]);
    return new Promise((resolve, reject) => {
      const stopPolling = new AbortController();
      const giveUp = () => {
        run.signalWaiter = null;
        stopPolling.abort();
        reject(attemptSignal.reason);
      };
      const done = (payload: unknown) => {
        run.signalWaiter = null;
        stopPolling.abort();
        attemptSignal.removeEventListener('abort', giveUp);
        resolve(payload);
      };
      if (attemptSignal.aborted) return giveUp();
      run.signalWaiter = { name: step, done };
      attemptSignal.addEventListener('abort', giveUp, { once: true });
      void this.pollSignal(run, step, stopPolling.signal, done);
    });
  }

  /** Another process may record the signal: look in the store now and then. */
  private async pollSignal(run: ActiveRun, step: string, stop: AbortSignal, done: (payload: unknown) => void): Promise<void> {
    while (!stop.aborted) {
      try {
        await this.options.clock.sleep(1_000, stop);
      } catch {
        return;
      }
      const requests = await this.options.repository.requests(run.handoff.id).catch(() => null);
      if (requests && step in requests.signals && !stop.aborted) done(requests.signals[step]);
      if (requests?.cancelRequest && !stop.aborted) this.notifyCancel(run.handoff.id, requests.cancelRequest.reason);
    }
  }

  /**
   * Applies `change` to the handoff and stores it with `drafts` as one compare-and-set.
   * The returned record also tells us of cancels and signals written meanwhile.
   */
  private async commit(run: ActiveRun, change: (h: Handoff) => void, drafts: HandoffEventDraft[]): Promise<void> {
    // Changes touch top-level fields and step records only; metadata is shared, never mutated.
    const next: Handoff = { ...run.handoff, steps: run.handoff.steps.map((step) => ({ ...step })) };
    change(next);
    next.version += 1;
    next.seq += drafts.length;
    const stored = await this.options.repository.transition(next, drafts, this.options.clock.now(), this.options.owner);
    if (!stored) throw new LeaseLostError(next.id);
    run.handoff = next;
    this.absorb(run, stored.requests);
    this.options.publish(stored.events);
  }

  private absorb(run: ActiveRun, record: OutOfBandRequests): void {
    Object.assign(run.signals, record.signals);
    if (record.cancelRequest && run.cancelReason === null) this.notifyCancel(run.handoff.id, record.cancelRequest.reason);
  }
}

import type { Clock } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';
import type { Random } from '../../shared/random.js';
import type { EventBus } from '../events/event-bus.js';
import { DEADLINE_EXCEEDED } from '../handoff/failure-code.js';
import { attemptInFlight, type Handoff, isFinal, runOf, type StepWait } from '../handoff/handoff.js';
import {
  failGates,
  passGates,
  recordInterruption,
  type StepStart,
  startRollback,
} from '../handoff/handoff-transitions.js';
import { signalBelongsToRun } from '../handoff/step-signal.js';
import type { LeasedWork, LeaseKind } from '../leases/leased-work.js';
import type { HandoffRecord, HandoffStore } from '../ports/handoff-store.js';
import { definitionAt } from '../procedures/branch-definition.js';
import type { Procedure } from '../procedures/procedure.js';
import type { ConditionEvaluator } from '../procedures/step-condition.js';
import { type StepKindHandlers, type WaitRequest, waitingForOf } from '../steps/step-kind.js';
import type { ActiveRun, HandoffChecks, RunEnd, RunParts } from './active-run.js';
import { rollBack } from './compensation.js';
import { stepsToUndo } from './compensation-plan.js';
import { NOTHING_SIGNALLED, planGraph } from './graph-plan.js';
import { walkGraph } from './graph-walk.js';
import { Nudge } from './nudge.js';
import { RecordedSignals } from './recorded-signals.js';
import { CancelledError, type FaultHook, ShutdownError } from './run-action.js';
import { finishRun, pauseIfAsked } from './run-ending.js';
import { LeaseLostError, RunStorage } from './run-storage.js';

/** Why a run's `ended` signal fires: it ended (nothing reads the reason; a shared one costs nothing). */
const RUN_ENDED = new Error('the run ended');

export interface RunnerOptions {
  store: HandoffStore;
  loadProcedure(id: string, version: number): Promise<Procedure | null>;
  bus: EventBus;
  leases: LeasedWork;
  stepKinds: StepKindHandlers;
  checks: HandoffChecks;
  conditions: ConditionEvaluator;
  faults: FaultHook | null;
  /** Told of every handoff this runner brings to a final status (a sub-handoff tells its parent). */
  onFinished?(handoff: Handoff): void;
  clock: Clock;
  random: Random;
  logger: Logger;
}

/**
 * Executes handoffs as a durable state machine. Every change is one compare-and-set on the stored
 * handoff (guarded by version and lease) that also records its events, so a process that dies
 * mid-step leaves a state the next process can resume from. A run lasts while there is work to do
 * now: a handoff that waits (for a signal, an agent, a retry's back-off) is stored with when it is
 * due and handed back, and the scheduler takes it again then, here or in another process.
 */
export class HandoffRunner {
  private readonly active = new Map<string, ActiveRun>();
  /**
   * Handoffs this process just created, stored already leased to us with their first events
   * written: running one needs no lease write, no read and no outbox flush.
   */
  private readonly created = new Map<string, { handoff: Handoff; leaseExpiresAt: number | null }>();
  /** Every run in progress in this process, from lease to release. */
  private readonly executions = new Map<string, Promise<RunEnd>>();
  private readonly leases: LeaseKind;
  private readonly parts: RunParts;
  private readonly storing: RunStorage;
  private stopping = false;

  constructor(private readonly options: RunnerOptions) {
    const { store, leases, bus } = options;
    this.leases = leases.kind('handoffs', {
      renew: async (ids, expiresAt) => {
        const { cancels, lost } = await store.renewLeases(ids, leases.owner, expiresAt);
        // A cancel recorded by another process reaches a long-running step here at the latest.
        for (const { id, reason } of cancels) this.notifyCancel(id, reason);
        return lost;
      },
    });
    this.storing = new RunStorage({
      store,
      clock: options.clock,
      owner: leases.owner,
      bus,
      onFinished: options.onFinished,
      onCancel: (id, reason) => this.notifyCancel(id, reason),
    });
    bus.requests.subscribe((request) => {
      if (request.kind === 'signal') this.notifySignal(request.handoffId, request.name, request.payload);
      else this.notifyCancel(request.handoffId, request.reason);
    });
    this.parts = {
      clock: options.clock,
      random: options.random,
      logger: options.logger,
      faults: options.faults,
      stepKinds: options.stepKinds,
      waitingFor: waitingForOf(options.stepKinds),
      checks: options.checks,
      conditions: options.conditions,
      commit: (run, change) => this.storing.commit(run, change),
      rest: (run, change) => this.storing.rest(run, change),
      suspend: (run, index, change) => this.storing.suspend(run, index, change),
      boundedWait: (request, startedAt, timeoutMs) => boundedWait(request, startedAt, timeoutMs),
    };
  }

  get activeIds(): string[] {
    return [...this.active.keys()];
  }

  get activeCount(): number {
    return this.executions.size;
  }

  isActive(id: string): boolean {
    return this.executions.has(id);
  }

  /**
   * Runs (or goes on with) one handoff until it finishes, waits, pauses or is lost, unless the lease
   * is held elsewhere. A second call while one runs for the same id joins it instead of racing it for
   * the lease. Never rejects: what stops a run (a failed store operation included) is logged and
   * answered as FAILED, for the caller to try again later.
   */
  execute(id: string): Promise<RunEnd> {
    const running = this.executions.get(id);
    if (running) return running;
    if (this.stopping) return Promise.resolve('NOT_TAKEN');
    const execution = this.run(id).finally(() => this.executions.delete(id));
    this.executions.set(id, execution);
    return execution;
  }

  private async run(id: string): Promise<RunEnd> {
    const { logger, leases, store } = this.options;
    let run: ActiveRun | undefined;
    let end: RunEnd = 'NOT_TAKEN';
    try {
      const record = await this.leaseForRun(id);
      if (!record) return 'NOT_TAKEN';
      end = 'STOPPED';
      this.leases.hold(id, () => this.notifyLeaseLost(id));
      const procedure = await this.options.loadProcedure(record.handoff.procedureId, record.handoff.procedureVersion);
      if (!procedure)
        throw new Error(`procedure ${record.handoff.procedureId} v${record.handoff.procedureVersion} is missing`);
      run = this.begin(record, procedure);
      end = await this.drive(run);
      return end;
    } catch (error) {
      if (error instanceof LeaseLostError || error instanceof ShutdownError) {
        logger.info({ handoffId: id, reason: error.message }, 'stopped running handoff');
        return 'STOPPED';
      }
      // A failed store operation included: it ends this run, never the process. The lease is kept:
      // until it runs out it holds other processes off while this one backs off and tries again.
      end = 'FAILED';
      logger.error({ handoffId: id, err: error }, 'handoff run stopped on an unexpected error; it will be resumed');
      return 'FAILED';
    } finally {
      // A reason given: abort() without one builds a DOMException (a stack capture) for every run that ends.
      run?.ended.abort(RUN_ENDED);
      this.active.delete(id);
      this.leases.release(id);
      // Stopped mid-way by shutdown: hand it back, due at once, for the next run (here after a restart, or elsewhere).
      if (end === 'STOPPED' && run && !isFinal(run.handoff.status)) {
        await store
          .releaseLease(id, leases.owner, run.handoff.status === 'PAUSED' ? null : this.options.clock.now())
          .catch((error) => logger.warn({ handoffId: id, err: error }, 'could not release lease'));
      }
    }
  }

  private begin(record: Pick<HandoffRecord, 'handoff' | 'signals' | 'cancelRequest' | 'rev'>, procedure: Procedure) {
    const run: ActiveRun = {
      handoff: record.handoff,
      procedure,
      // A step signal given before a redrive decided the earlier run, not this one.
      signals: new RecordedSignals(record, (payload) => signalBelongsToRun(payload, runOf(record.handoff))),
      cancelReason: record.cancelRequest?.reason ?? null,
      startedHere: new Set(),
      starting: new Set(),
      flying: new Set(),
      commits: Promise.resolve(),
      rested: false,
      idle: NEVER_IDLE,
      nudge: new Nudge(),
      abort: new AbortController(),
      shutdown: new AbortController(),
      ended: new AbortController(),
    };
    this.active.set(record.handoff.id, run);
    this.watchDeadline(run);
    // stop() may have run while we were loading: it could not abort a run it did not see.
    if (this.stopping) this.shutDown(run);
    return run;
  }

  /** The handoff with its lease: the creation lease when enough of it is left, else taken from the store (null: someone else's). */
  private async leaseForRun(
    id: string,
  ): Promise<Pick<HandoffRecord, 'handoff' | 'signals' | 'cancelRequest' | 'rev'> | null> {
    const { store, leases, clock } = this.options;
    const created = this.created.get(id);
    this.created.delete(id);
    // Signals or cancels recorded since creation arrive with the first commit.
    if (created?.leaseExpiresAt != null && clock.now() < created.leaseExpiresAt - leases.leaseMs / 3)
      return { handoff: created.handoff, signals: {}, cancelRequest: null, rev: 0 };
    // Created here without a lease (others might have taken it): claimed as it was, if nobody changed it.
    if (created) {
      const requests = await store.claim(id, leases.owner, clock.now(), leases.leaseMs, created.handoff.version);
      if (requests) return { handoff: created.handoff, ...requests };
    }
    const stored = await store.acquireLease(id, leases.owner, clock.now(), leases.leaseMs, leases.exclusiveStore);
    // Events of a handoff created by this process were written already; anyone else's may not have been.
    if (stored && !created) await store.flushOutbox(stored);
    return stored;
  }

  /**
   * A handoff this process stored, with its creation events, is ready to run: leased to itself until
   * `leaseExpiresAt`, or (null) not leased, to be claimed as it is when its turn comes.
   */
  adoptCreated(handoff: Handoff, leaseExpiresAt: number | null): void {
    this.created.set(handoff.id, { handoff, leaseExpiresAt });
  }

  /**
   * Makes the next run read the handoff from the store (e.g. a cancel was recorded before it ran).
   * True when this process held its creation lease (it still does, until it runs out).
   */
  forgetCreated(id: string): boolean {
    const created = this.created.get(id);
    this.created.delete(id);
    return created?.leaseExpiresAt != null && created.leaseExpiresAt > this.options.clock.now();
  }

  /** Hands a signal recorded in the store to the run of the handoff here, if there is one. */
  notifySignal(id: string, name: string, payload: unknown): void {
    const run = this.active.get(id);
    if (!run) return;
    run.signals.record(name, payload);
    run.nudge.nudge();
  }

  /** Aborts the running attempt of a handoff whose cancel was recorded in the store. */
  notifyCancel(id: string, reason: string): void {
    const run = this.active.get(id);
    if (!run || run.cancelReason !== null) return;
    run.cancelReason = reason;
    run.abort.abort(new CancelledError(reason));
    run.nudge.nudge();
  }

  /**
   * Another process holds the handoff's lease now (this one stalled past it): the running attempt is
   * aborted and the run stops without recording anything; its next commit would be refused anyway.
   */
  notifyLeaseLost(id: string): void {
    const run = this.active.get(id);
    if (run) this.shutDown(run, new ShutdownError(`lease on handoff ${id} lost to another process`));
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

  private shutDown(run: ActiveRun, reason = new ShutdownError()): void {
    run.shutdown.abort(reason);
    if (!run.abort.signal.aborted) run.abort.abort(reason);
    run.nudge.nudge();
  }

  private async drive(run: ActiveRun): Promise<RunEnd> {
    const parts = this.parts;
    if (this.deadlinePassed(run)) await this.expire(run);
    const { handoff } = run;
    if (handoff.status === 'PAUSED') return this.settlePaused(run);
    // A redrive or a resume queues a handoff PENDING where it stopped: it goes on from there. Fresh: nothing of it
    // ran yet (or a redrive reset it all), so its gates are checked first.
    const fresh =
      handoff.status === 'PENDING' &&
      handoff.steps.every((step) => step.status === 'PENDING' && step.attempts === 0 && !step.fanOut);
    if (fresh) {
      if (run.cancelReason !== null)
        return finishRun(parts, run, 'CANCELLED', `cancelled before start: ${run.cancelReason}`);
      if (await pauseIfAsked(parts, run)) return 'PAUSED';
      const gates = await this.passGates(run);
      if (gates) return gates;
    } else if (wasInterrupted(handoff)) {
      // A previous process was running this handoff when it stopped: say so in the history.
      await this.parts.commit(run, (h) => recordInterruption(h));
    }
    if (['PENDING', 'RUNNING', 'WAITING'].includes(run.handoff.status)) {
      const end = await walkGraph(parts, run);
      if (end) return end;
    }
    if (run.handoff.status === 'ROLLING_BACK') return rollBack(parts, run);
    return isFinal(run.handoff.status) ? 'FINISHED' : 'STOPPED';
  }

  /** A PAUSED handoff is run only to honour a cancel (it rolls back at once); otherwise it stays as it is. */
  private async settlePaused(run: ActiveRun): Promise<RunEnd> {
    if (run.cancelReason === null) {
      await this.options.store.releaseLease(run.handoff.id, this.options.leases.owner, null);
      return 'PAUSED';
    }
    const reason = `cancelled: ${run.cancelReason}`;
    const toUndo = stepsToUndo(run.handoff, run.procedure);
    if (toUndo.length === 0) return finishRun(this.parts, run, 'CANCELLED', reason);
    const undo = toUndo.map((i) => run.handoff.steps[i].id);
    await this.parts.commit(run, (h) => startRollback(h, reason, undo, this.options.clock.now()));
    return rollBack(this.parts, run);
  }

  /** The procedure's gates; ends the run (FINISHED) when they fail, or when there is no step to run. */
  private async passGates(run: ActiveRun): Promise<RunEnd | null> {
    const { procedure } = run;
    const verdict = await this.options.checks.gates(run.handoff, procedure).catch((error: Error) => ({
      blocking: ['GATES'],
      summary: `the validation gates could not run: ${error.message}`,
    }));
    const now = this.options.clock.now();
    if (verdict.blocking.length > 0) {
      if (await this.parts.commit(run, (h) => failGates(h, verdict.summary, verdict.blocking, now))) return 'FINISHED';
      return finishRun(this.parts, run, 'CANCELLED', `cancelled before start: ${run.cancelReason}`);
    }
    const starts = this.firstSteps(run);
    await this.parts.commit(run, (h) => passGates(h, procedure, verdict.summary, now, this.parts.waitingFor, starts));
    for (const { index } of starts) run.startedHere.add(index);
    if (procedure.steps.length === 0) return finishRun(this.parts, run, 'COMPLETED', 'procedure has no steps');
    return null;
  }

  /** The steps that start with the handoff: ready ones that need nothing first (a condition, a list to read). */
  private firstSteps(run: ActiveRun): StepStart[] {
    const plan = planGraph(run.handoff, run.procedure, {
      now: this.options.clock.now(),
      busy: new Set(),
      signalled: NOTHING_SIGNALLED,
      mayStart: true,
    });
    return plan.start
      .map((index) => ({ index, definition: definitionAt(run.procedure, run.handoff, index) }))
      .filter(({ definition }) => !definition.when && !definition.forEach);
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

  /** Fires the handoff's deadline while this run lasts (a waiting handoff's is its due time). */
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
    const { store, clock, logger } = this.options;
    try {
      await store.requestCancel(run.handoff.id, deadlineReason(run.handoff.deadlineAt!), clock.now());
      // Refused when rolling back already (or a cancel won the race): a recorded cancel arrives with the next commit.
      const requests = await store.requests(run.handoff.id);
      if (requests?.cancelRequest) this.notifyCancel(run.handoff.id, requests.cancelRequest.reason);
    } catch (error) {
      logger.warn(
        { handoffId: run.handoff.id, err: error },
        'could not record a passed deadline; it is tried again at the next run',
      );
    }
  }
}

/** A run's `idle` until its walk (or rollback) sets its own. */
function NEVER_IDLE(): boolean {
  return false;
}

/** The cancel reason a passed deadline records. */
export function deadlineReason(deadlineAt: number): string {
  return `${DEADLINE_EXCEEDED}: the deadline ${new Date(deadlineAt).toISOString()} passed`;
}

/** The wait an attempt asked for, ending no later than its timeout. */
function boundedWait(request: WaitRequest, startedAt: number, timeoutMs: number): StepWait {
  const timeoutAt = startedAt + timeoutMs;
  return {
    on: request.on ?? null,
    until: Math.min(request.until ?? timeoutAt, timeoutAt),
    data: request.data ?? null,
    startedAt,
  };
}

/**
 * Whether the stored state shows work in flight that no clean hand-back leaves behind: an attempt
 * RUNNING, a wait never stored, a compensation between start and outcome. Then the last process
 * running it stopped mid-way.
 */
function wasInterrupted(handoff: Handoff): boolean {
  if (!['RUNNING', 'WAITING', 'ROLLING_BACK'].includes(handoff.status)) return false;
  if (handoff.status === 'ROLLING_BACK')
    return handoff.steps.some((step) => step.status === 'COMPENSATING' && !step.wait && step.retryAt == null);
  return handoff.steps.some((step) => attemptInFlight(step) && (step.status === 'RUNNING' || !step.wait));
}

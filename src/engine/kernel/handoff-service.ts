import type { Actor } from '../shared/actor.js';
import { AsyncQueue } from '../shared/async-queue.js';
import type { Clock } from '../shared/clock.js';
import { inexactNumber, jsonBytes } from '../shared/json-object.js';
import type { Logger } from '../shared/logger.js';
import { type Random, timeOrderedUuid } from '../shared/random.js';
import { fail, type Outcome, ok, type UserError } from '../shared/user-error.js';
import type { EventBus } from './events/event-bus.js';
import type { HandoffSignals } from './events/handoff-signals.js';
import { type Handoff, isFinal, runOf } from './handoff/handoff.js';
import type { HandoffEvent } from './handoff/handoff-event.js';
import { type HandoffMetrics, handoffMetrics } from './handoff/handoff-metrics.js';
import { type HandoffQuery, resolveHandoffQuery } from './handoff/handoff-query.js';
import type { PauseRequest } from './handoff/handoff-transitions.js';
import { PAUSE_SIGNAL, pauseRequestOf as readPauseRequest } from './handoff/pause-request.js';
import { type SignalOutcome, type StepSignal, storedSignal } from './handoff/step-signal.js';
import { checkInput, type InitiateHandoffInput, METADATA_LIMIT_BYTES, newHandoff } from './handoff-input.js';
import { HandoffLevers, type RedriveOptions } from './handoff-levers.js';
import { handoffProgress } from './handoff-progress.js';
import type { HandoffOrder } from './ports/handoff-order.js';
import type { HandoffFilter, HandoffStore } from './ports/handoff-store.js';
import type { Page, PageRequest } from './ports/page.js';
import { DuplicateKeyError } from './ports/store-errors.js';
import type { Procedure } from './procedures/procedure.js';
import type { ProcedureService } from './procedures/procedure-service.js';
import type { Scheduler } from './scheduler/scheduler.js';

export type { InitiateHandoffInput } from './handoff-input.js';
export { METADATA_LIMIT_BYTES } from './handoff-input.js';

/**
 * What a module checks before a handoff of `procedure` may start (agents that must be registered,
 * say). `stop`: answer with these errors alone (an input that is missing comes before anything else).
 */
export type InitiationCheck = (
  procedure: Procedure,
  input: InitiateHandoffInput,
) => Promise<{ errors: UserError[]; stop?: boolean }>;

/** Answers the question an `agent_task` step's agent asked, with a signal's decision and payload. */
export type TaskAnswerer = (
  handoff: Handoff,
  step: string,
  signal: Omit<StepSignal, 'run'>,
) => Promise<Outcome<unknown>>;

export interface HandoffServiceOptions {
  store: HandoffStore;
  procedures: ProcedureService;
  scheduler: Scheduler;
  bus: EventBus;
  signals: HandoffSignals;
  initiationChecks: readonly InitiationCheck[];
  /** Resolves when no run of the handoff is in progress in this process. */
  settled(id: string): Promise<void>;
  /** Agents holding a role (a capability), for queries by role. */
  agentsWithRole(role: string, limit: number): Promise<string[]>;
  clock: Clock;
  random: Random;
  logger: Logger;
}

/** Starts, steers and reads handoffs. */
export class HandoffService {
  private readonly levers: HandoffLevers;
  private taskAnswers: TaskAnswerer | null = null;

  constructor(private readonly options: HandoffServiceOptions) {
    this.levers = new HandoffLevers({
      repository: options.store,
      procedures: options.procedures,
      clock: options.clock,
      bus: options.bus,
      scheduler: options.scheduler,
      settled: options.settled,
    });
  }

  /** Every event this process hears of (see EventBus). */
  get events() {
    return this.options.bus.events;
  }

  /** The events of transitions this process stored. */
  get executed() {
    return this.options.bus.executed;
  }

  /** Creates and queues a handoff; the same handoffId twice gives the same handoff. */
  async initiate(input: InitiateHandoffInput): Promise<Outcome<Handoff>> {
    const { store, procedures, scheduler, bus, clock } = this.options;
    const problems = checkInput(input);
    if (problems.length > 0) return { ok: false, errors: problems };
    // A key seen before wins over any check: the existing handoff is the answer.
    const refuse = async (outcome: Outcome<Handoff>): Promise<Outcome<Handoff>> => {
      const existing = input.handoffId ? await store.get(input.handoffId) : null;
      return existing ? ok(existing) : outcome;
    };
    const procedure = await procedures.get(input.procedureId);
    if (!procedure)
      return refuse(fail('NOT_FOUND', `No procedure with id "${input.procedureId}"`, ['input', 'procedureId']));
    const unmet = await this.unmetPrerequisites(procedure, input);
    if (unmet.length > 0) return refuse({ ok: false, errors: unmet });
    const now = clock.now();
    // Time-ordered, with the creation time: the stores' indexes over handoff ids take new ones at their end.
    const id = input.handoffId ?? `hnd_${timeOrderedUuid(this.options.random, now)}`;
    const handoff = newHandoff(id, procedure, input, now);
    const lease = scheduler.creationLease(handoff, now);
    try {
      const events = await store.create(
        handoff,
        [
          {
            type: 'HANDOFF_CREATED',
            step: null,
            message: `queued ${procedure.id} v${procedure.version} at priority ${handoff.priority}`,
            // What readers of the event log alone (webhook receivers, the insight fold) attribute the handoff's events to.
            data: { procedureId: procedure.id, procedureVersion: procedure.version },
          },
        ],
        now,
        lease,
      );
      bus.created.publish(handoff);
      bus.committed(events);
    } catch (error) {
      if (!(error instanceof DuplicateKeyError)) throw error;
      // The key exists (an earlier or concurrent initiate): return that handoff.
      return ok((await store.get(id))!);
    }
    scheduler.admit(handoff, lease);
    // A deadline passing while it waits for its turn cancels it then, not when its turn comes.
    if (handoff.deadlineAt != null) bus.dueAt.publish(handoff.deadlineAt);
    return ok(handoff);
  }

  /**
   * What modules require before a handoff starts (registered agents, say), and dependency
   * procedures that must have completed for the same source phase.
   */
  private async unmetPrerequisites(procedure: Procedure, input: InitiateHandoffInput): Promise<UserError[]> {
    const errors: UserError[] = [];
    for (const check of this.options.initiationChecks) {
      const found = await check(procedure, input);
      if (found.stop && found.errors.length > 0) return found.errors;
      errors.push(...found.errors);
    }
    for (const dependency of procedure.dependencies) {
      const done = await this.options.store.count({
        procedureId: [dependency],
        status: ['COMPLETED'],
        sourcePhase: input.sourcePhase ?? null,
        test: input.test ? undefined : false,
      });
      if (done === 0) {
        errors.push({
          field: ['input', 'sourcePhase'],
          code: 'DEPENDENCY_NOT_MET',
          message: `${procedure.id} depends on ${dependency}, which has not completed for source phase ${input.sourcePhase ?? '(none)'}`,
        });
      }
    }
    return errors;
  }

  /**
   * Records a cancel: a running attempt is aborted and the handoff rolls back; one that never started
   * (or a PAUSED one) finishes at once, not when its turn comes.
   */
  async cancel(id: string, reason: string): Promise<Outcome<Handoff>> {
    const { store, bus, scheduler, clock } = this.options;
    const handoff = await store.get(id);
    if (!handoff) return fail('NOT_FOUND', `No handoff with id "${id}"`, ['input', 'id']);
    if (isFinal(handoff.status) || handoff.status === 'ROLLING_BACK') {
      return fail('INVALID_STATE', `Handoff is ${handoff.status} and can no longer be cancelled`, ['input', 'id']);
    }
    if (!(await store.requestCancel(id, reason, clock.now()))) {
      const current = await store.get(id);
      if (current && !isFinal(current.status) && current.status !== 'ROLLING_BACK') return ok(current); // already requested
      return fail('INVALID_STATE', `Handoff is ${current?.status} and can no longer be cancelled`, ['input', 'id']);
    }
    bus.requests.publish({ kind: 'cancel', handoffId: id, reason, local: true });
    if (handoff.status === 'PENDING' || handoff.status === 'PAUSED') scheduler.runNow(id);
    return ok((await store.get(id))!);
  }

  /** Asks a handoff to pause before its next step (see HandoffLevers). */
  pause(id: string, reason: string | null, actor: Actor | null): Promise<Outcome<Handoff>> {
    return this.levers.pause(id, reason, actor);
  }

  /** Sets a PAUSED handoff going again where it stopped (or withdraws a pause not yet taken). */
  resume(id: string, actor: Actor | null, reason: string | null = null): Promise<Outcome<Handoff>> {
    return this.levers.resume(id, actor, reason);
  }

  /** Asks a COMPLETED handoff to undo its steps (see HandoffLevers.revert): a parent's rollback reaching its sub-handoff. */
  revert(id: string, reason: string): Promise<Outcome<Handoff>> {
    return this.levers.revert(id, reason);
  }

  /** Starts a FAILED, ROLLED_BACK or ROLLBACK_FAILED handoff again under the same id, as its next run. */
  redrive(id: string, options: RedriveOptions, actor: Actor | null): Promise<Outcome<Handoff>> {
    return this.levers.redrive(id, options, actor);
  }

  /**
   * Delivers a signal to an `await_signal` step (before or while it waits): an approval with its
   * payload, or a rejection with a reason, which fails the step for good and rolls the handoff back.
   */
  async signal(
    id: string,
    step: string,
    payload: unknown,
    decision: { outcome?: SignalOutcome; reason?: string | null; actor?: Actor | null } = {},
  ): Promise<Outcome<Handoff>> {
    const { store } = this.options;
    // Stored with the handoff and copied into the step's output: bounded like metadata.
    if (jsonBytes(payload ?? null) > METADATA_LIMIT_BYTES) {
      return fail('TOO_LARGE', `payload must be at most ${METADATA_LIMIT_BYTES} bytes as JSON`, ['input', 'payload']);
    }
    const inexact = inexactNumber(payload, 'payload');
    if (inexact) return fail('INVALID_VALUE', inexact, ['input', 'payload']);
    const handoff = await store.get(id);
    if (!handoff) return fail('NOT_FOUND', `No handoff with id "${id}"`, ['input', 'id']);
    const target = handoff.steps.find((candidate) => candidate.id === step);
    if (!target) return fail('NOT_FOUND', `Handoff has no step "${step}"`, ['input', 'step']);
    if (target.kind !== 'await_signal' && !(target.kind === 'agent_task' && this.taskAnswers))
      return fail('INVALID_STATE', `Step "${step}" does not wait for signals`, ['input', 'step']);
    if (
      ['SUCCEEDED', 'FAILED', 'COMPENSATED', 'COMPENSATING', 'COMPENSATION_FAILED', 'SKIPPED', 'CANCELLED'].includes(
        target.status,
      ) ||
      isFinal(handoff.status) ||
      handoff.status === 'ROLLING_BACK'
    ) {
      return fail('INVALID_STATE', `Step "${step}" is ${target.status}; handoff is ${handoff.status}`, [
        'input',
        'step',
      ]);
    }
    // An agent's key signals only the handoffs its agent is part of.
    if (
      decision.actor?.agentId &&
      decision.actor.agentId !== handoff.sourceAgent &&
      decision.actor.agentId !== handoff.targetAgent
    ) {
      return fail('FORBIDDEN', `Agent ${decision.actor.agentId} is not part of handoff "${id}"`, ['input', 'id']);
    }
    const outcome = decision.outcome ?? 'APPROVE';
    if (outcome === 'REJECT' && !decision.reason?.trim())
      return fail('MISSING_VALUE', 'A rejection needs a reason', ['input', 'reason']);
    if (target.kind === 'agent_task') {
      // The step's agent asked a question (input-required): the signal is its answer.
      const answered = await this.taskAnswers!(handoff, step, {
        outcome,
        payload,
        reason: decision.reason ?? null,
        actor: decision.actor ?? null,
      });
      return answered.ok ? ok((await store.get(id))!) : answered;
    }
    const signal = storedSignal({
      outcome,
      payload,
      reason: decision.reason ?? null,
      actor: decision.actor ?? null,
      run: runOf(handoff),
    });
    if (!(await this.options.signals.wake(id, step, signal))) {
      return fail('INVALID_STATE', 'Handoff finished before the signal arrived', ['input', 'id']);
    }
    return ok((await store.get(id))!);
  }

  /**
   * Where a signal for an `agent_task` step goes: the answer to the question its agent asked
   * (set by the engine once agent tasks exist; until then such a signal is refused).
   */
  useTaskAnswers(answer: TaskAnswerer): void {
    this.taskAnswers = answer;
  }

  /**
   * Records the signal `name` on an unfinished handoff: how an agent task's outcome wakes its step
   * or compensation. False when the handoff is finished or unknown.
   */
  wake(id: string, name: string, payload: unknown): Promise<boolean> {
    return this.options.signals.wake(id, name, payload);
  }

  get(id: string): Promise<Handoff | null> {
    return this.options.store.get(id);
  }

  /** The cancel recorded on a handoff, if any (it stays once recorded). */
  async cancelRequestOf(id: string): Promise<{ reason: string } | null> {
    return (await this.options.store.requests(id))?.cancelRequest ?? null;
  }

  /** The pause request last recorded on a handoff (asked, taken or withdrawn), if any. */
  async pauseRequestOf(id: string): Promise<PauseRequest | null> {
    return readPauseRequest((await this.options.store.requests(id))?.signals[PAUSE_SIGNAL]);
  }

  getMany(ids: readonly string[]): Promise<(Handoff | null)[]> {
    return this.options.store.getMany(ids);
  }

  page(filter: HandoffFilter, request: PageRequest, order?: HandoffOrder): Promise<Page<Handoff>> {
    return this.options.store.page(filter, request, order);
  }

  /** The store filter a client's query stands for now; null when nothing can match (see resolveHandoffQuery). */
  resolveQuery(query: HandoffQuery): ReturnType<typeof resolveHandoffQuery> {
    return resolveHandoffQuery(query, {
      now: this.options.clock.now(),
      agentsWithRole: (role, limit) => this.options.agentsWithRole(role, limit),
    });
  }

  count(filter: HandoffFilter): Promise<number> {
    return this.options.store.count(filter);
  }

  /** Production figures (reliability-test traffic left out), computed from the store. */
  async metrics(): Promise<HandoffMetrics> {
    return handoffMetrics(await this.options.store.summaries({ test: false }));
  }

  history(id: string, afterSeq: number, limit?: number): Promise<HandoffEvent[]> {
    return this.options.store.events(id, afterSeq, limit);
  }

  /** Stored events after `afterSeq`, then live ones; ends at the final event. */
  progress(id: string, afterSeq: number): AsyncIterableIterator<HandoffEvent> {
    return handoffProgress(this.options.store, this.options.bus.events, id, afterSeq, this.options.clock, (error) =>
      this.options.logger.error({ handoffId: id, err: error }, 'progress stream failed'),
    );
  }

  /** Every event from now on, optionally without reliability-test traffic; ends when the caller leaves. */
  live(includeTests: boolean): AsyncIterableIterator<HandoffEvent> {
    const queue: AsyncQueue<HandoffEvent> = new AsyncQueue(() => unsubscribe());
    const unsubscribe = this.options.bus.events.subscribe((event) => {
      if (includeTests || event.testId === null) queue.push(event);
    });
    return queue;
  }
}

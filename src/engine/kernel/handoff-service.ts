import type { Actor } from '../shared/actor.js';
import { AsyncQueue } from '../shared/async-queue.js';
import type { Clock } from '../shared/clock.js';
import { isJsonObject, jsonBytes } from '../shared/json-object.js';
import type { Logger } from '../shared/logger.js';
import { type Random, randomUuid } from '../shared/random.js';
import { Topic } from '../shared/topic.js';
import { fail, type Outcome, ok, type UserError } from '../shared/user-error.js';
import { DEADLINE_EXCEEDED } from './handoff/failure-code.js';
import { type Handoff, type HandoffType, isFinal, type Priority, runOf, type TestTag } from './handoff/handoff.js';
import type { HandoffEvent } from './handoff/handoff-event.js';
import { type HandoffMetrics, handoffMetrics } from './handoff/handoff-metrics.js';
import type { HandoffOrder } from './handoff/handoff-order.js';
import { type HandoffQuery, resolveHandoffQuery } from './handoff/handoff-query.js';
import type { PauseRequest } from './handoff/handoff-transitions.js';
import { PAUSE_SIGNAL, pauseRequestOf as readPauseRequest } from './handoff/pause-request.js';
import { type SignalOutcome, storedSignal } from './handoff/step-signal.js';
import { HandoffLevers, type RedriveOptions } from './handoff-levers.js';
import { handoffProgress } from './handoff-progress.js';
import type { HandoffFilter, HandoffStore } from './ports/handoff-store.js';
import type { Page, PageRequest } from './ports/page.js';
import { DuplicateKeyError } from './ports/store-errors.js';
import type { Procedure } from './procedures/procedure.js';
import { MAX_DEADLINE_MS } from './procedures/procedure-definition.js';
import type { ProcedureService } from './procedures/procedure-service.js';
import type { HandoffRunner } from './runner/handoff-runner.js';
import type { HandoffQueue } from './scheduler/handoff-queue.js';
import { QueuedDeadlines } from './scheduler/queued-deadlines.js';

export interface InitiateHandoffInput {
  /** Client idempotency key; generated when absent. */
  handoffId?: string | null;
  procedureId: string;
  sourcePhase?: string | null;
  targetPhase?: string | null;
  sourceAgent?: string | null;
  targetAgent?: string | null;
  handoffType?: HandoffType | null;
  priority?: Priority | null;
  metadata?: Record<string, unknown> | null;
  /** Overall time limit from now (overrides the procedure's deadlineMs). */
  deadlineMs?: number | null;
  test?: TestTag | null;
}

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
const NAME_LIMIT = 200;
/** Metadata (and a signal's payload) is stored and copied into events: keep it bounded. */
export const METADATA_LIMIT_BYTES = 64 * 1024;

function checkInput(input: InitiateHandoffInput): UserError[] {
  const errors: UserError[] = [];
  if (input.handoffId != null && !ID_PATTERN.test(input.handoffId)) {
    errors.push({
      field: ['input', 'handoffId'],
      code: 'INVALID_VALUE',
      message: 'handoffId must be 1–128 characters of letters, digits, _ . : - and start with a letter or digit',
    });
  }
  for (const field of ['sourcePhase', 'targetPhase', 'sourceAgent', 'targetAgent'] as const) {
    const value = input[field];
    if (value != null && (value.length === 0 || value.length > NAME_LIMIT)) {
      errors.push({
        field: ['input', field],
        code: 'INVALID_VALUE',
        message: `${field} must be 1–${NAME_LIMIT} characters`,
      });
    }
  }
  if (
    input.deadlineMs != null &&
    (!Number.isInteger(input.deadlineMs) || input.deadlineMs <= 0 || input.deadlineMs > MAX_DEADLINE_MS)
  ) {
    errors.push({
      field: ['input', 'deadlineMs'],
      code: 'INVALID_VALUE',
      message: `deadlineMs must be a positive whole number up to ${MAX_DEADLINE_MS}`,
    });
  }
  if (input.metadata != null) {
    if (!isJsonObject(input.metadata)) {
      errors.push({ field: ['input', 'metadata'], code: 'INVALID_VALUE', message: 'metadata must be a JSON object' });
    } else if (jsonBytes(input.metadata) > METADATA_LIMIT_BYTES) {
      errors.push({
        field: ['input', 'metadata'],
        code: 'TOO_LARGE',
        message: `metadata must be at most ${METADATA_LIMIT_BYTES} bytes as JSON`,
      });
    }
  }
  return errors;
}

/** Starts, steers and reads handoffs. */
export class HandoffService {
  private readonly resumeFailures = new Map<string, number>();
  private readonly stopped = new AbortController();
  /** Every event this process hears of: its own as they commit, other processes' through the change feed. */
  readonly events = new Topic<HandoffEvent>();
  /** Only the events of the handoffs this process ran: what its own metrics count. */
  readonly executed = new Topic<HandoffEvent>();
  /** Handoffs this process has just stored (before they run). */
  readonly created = new Topic<Handoff>();
  private readonly levers: HandoffLevers;
  private readonly deadlines: QueuedDeadlines;

  constructor(
    private readonly repository: HandoffStore,
    private readonly procedures: ProcedureService,
    private readonly runner: HandoffRunner,
    private readonly queue: HandoffQueue,
    private readonly clock: Clock,
    private readonly random: Random,
    private readonly logger: Logger,
    private readonly agents: {
      getMany(ids: readonly string[]): Promise<(unknown | null)[]>;
      idsWithCapability(capability: string, limit: number): Promise<string[]>;
    },
  ) {
    this.deadlines = new QueuedDeadlines({
      clock,
      logger,
      isWaiting: (id) => queue.isWaiting(id),
      expire: (id, deadlineAt) => this.expireQueued(id, deadlineAt),
    });
    this.levers = new HandoffLevers({
      repository,
      procedures,
      runner,
      queue,
      clock,
      publish: (events) => this.publish(events),
      queued: (handoff) => this.deadlines.watch(handoff.id, handoff.deadlineAt),
    });
  }

  /** Creates and queues a handoff; the same handoffId twice gives the same handoff. */
  async initiate(input: InitiateHandoffInput): Promise<Outcome<Handoff>> {
    const problems = checkInput(input);
    if (problems.length > 0) return { ok: false, errors: problems };
    const id = input.handoffId ?? this.newId();
    // A key seen before wins over any check: the existing handoff is the answer.
    const refuse = async (outcome: Outcome<Handoff>): Promise<Outcome<Handoff>> => {
      const existing = input.handoffId ? await this.repository.get(id) : null;
      return existing ? ok(existing) : outcome;
    };
    const procedure = await this.procedures.get(input.procedureId);
    if (!procedure)
      return refuse(fail('NOT_FOUND', `No procedure with id "${input.procedureId}"`, ['input', 'procedureId']));
    if (!input.targetAgent && procedure.steps.some((step) => step.kind === 'transfer_context')) {
      return refuse(
        fail('MISSING_VALUE', `${procedure.id} transfers context, so targetAgent is required`, [
          'input',
          'targetAgent',
        ]),
      );
    }
    const unmet = await this.unmetPrerequisites(procedure, input);
    if (unmet.length > 0) return refuse({ ok: false, errors: unmet });
    const now = this.clock.now();
    const deadlineMs = input.deadlineMs ?? procedure.deadlineMs ?? null;
    const handoff: Handoff = {
      id,
      procedureId: procedure.id,
      procedureVersion: procedure.version,
      type: input.handoffType ?? (procedure.id.startsWith('AGENT') ? 'AGENT_HANDOFF' : 'PHASE_TRANSITION'),
      priority: input.priority ?? 'MEDIUM',
      sourcePhase: input.sourcePhase ?? null,
      targetPhase: input.targetPhase ?? null,
      sourceAgent: input.sourceAgent ?? null,
      targetAgent: input.targetAgent ?? null,
      metadata: input.metadata ?? {},
      status: 'PENDING',
      steps: procedure.steps.map((step) => ({
        id: step.id,
        name: step.name,
        kind: step.kind,
        status: 'PENDING',
        attempts: 0,
        compensationAttempts: 0,
        startedAt: null,
        finishedAt: null,
        error: null,
        output: null,
        retryAt: null,
      })),
      currentStep: 0,
      error: null,
      errorCode: null,
      cancelReason: null,
      run: 1,
      deadlineMs,
      deadlineAt: deadlineMs !== null ? now + deadlineMs : null,
      pause: null,
      pausesHonoured: 0,
      createdAt: now,
      startedAt: null,
      finishedAt: null,
      version: 1,
      seq: 0,
      test: input.test ?? null,
    };
    const lease = this.runner.creationLease(now);
    try {
      const events = await this.repository.create(
        handoff,
        [
          {
            type: 'HANDOFF_CREATED',
            step: null,
            message: `queued ${procedure.id} v${procedure.version} at priority ${handoff.priority}`,
          },
        ],
        now,
        lease,
      );
      this.runner.adoptCreated(handoff, lease.expiresAt);
      this.created.publish(handoff);
      this.publish(events);
    } catch (error) {
      if (!(error instanceof DuplicateKeyError)) throw error;
      // The key exists (an earlier or concurrent initiate): return that handoff.
      return ok((await this.repository.get(id))!);
    }
    this.queue.enqueue(id, handoff.priority, this.queue.keyOf(handoff));
    this.deadlines.watch(id, handoff.deadlineAt);
    return ok(handoff);
  }

  /**
   * Required agents must be registered, and so must the target of a procedure that transfers context
   * (its steps deliver into the target's inbox: a name nobody registered would receive it and the
   * handoff would complete with a target that does not exist); dependency procedures must have
   * completed for the same source phase. Agents named by other procedures are labels.
   */
  private async unmetPrerequisites(procedure: Procedure, input: InitiateHandoffInput): Promise<UserError[]> {
    const errors: UserError[] = [];
    if (input.targetAgent && procedure.steps.some((step) => step.kind === 'transfer_context')) {
      const [target] = await this.agents.getMany([input.targetAgent]);
      if (target === null) {
        errors.push({
          field: ['input', 'targetAgent'],
          code: 'AGENT_NOT_REGISTERED',
          message: `${procedure.id} transfers context to its target, and no agent "${input.targetAgent}" is registered: call registerAgent first`,
        });
      }
    }
    if (procedure.requiredAgents.length > 0) {
      const found = await this.agents.getMany(procedure.requiredAgents);
      const missing = procedure.requiredAgents.filter((_, index) => found[index] === null);
      if (missing.length > 0) {
        errors.push({
          field: ['input', 'procedureId'],
          code: 'AGENT_NOT_REGISTERED',
          message: `${procedure.id} needs registered agents: ${missing.join(', ')}`,
        });
      }
    }
    for (const dependency of procedure.dependencies) {
      const done = await this.repository.count({
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

  /** Records a cancel; the runner aborts the running step and rolls back (a PAUSED handoff at once). */
  async cancel(id: string, reason: string): Promise<Outcome<Handoff>> {
    const handoff = await this.repository.get(id);
    if (!handoff) return fail('NOT_FOUND', `No handoff with id "${id}"`, ['input', 'id']);
    if (isFinal(handoff.status) || handoff.status === 'ROLLING_BACK') {
      return fail('INVALID_STATE', `Handoff is ${handoff.status} and can no longer be cancelled`, ['input', 'id']);
    }
    if (!(await this.repository.requestCancel(id, reason, this.clock.now()))) {
      const current = await this.repository.get(id);
      if (current && !isFinal(current.status) && current.status !== 'ROLLING_BACK') return ok(current); // already requested
      return fail('INVALID_STATE', `Handoff is ${current?.status} and can no longer be cancelled`, ['input', 'id']);
    }
    if (this.runner.isActive(id)) this.runner.notifyCancel(id, reason);
    else if (this.queue.remove(id) || handoff.status === 'PAUSED') {
      // Finish it as CANCELLED now, not when its turn comes (a PAUSED one has none), from the stored state that has the cancel.
      this.runner.forgetCreated(id);
      void this.runner.execute(id);
    }
    return ok((await this.repository.get(id))!);
  }

  /** A queued handoff's deadline passed before its turn: it is cancelled now (unless paused or started meanwhile). */
  private async expireQueued(id: string, deadlineAt: number): Promise<void> {
    const handoff = await this.repository.get(id);
    if (handoff?.status !== 'PENDING') return;
    await this.cancel(
      id,
      `${DEADLINE_EXCEEDED}: the deadline ${new Date(deadlineAt).toISOString()} passed while it waited for its turn`,
    );
  }

  /** Asks a handoff to pause before its next step (see HandoffLevers). */
  pause(id: string, reason: string | null, actor: Actor | null): Promise<Outcome<Handoff>> {
    return this.levers.pause(id, reason, actor);
  }

  /** Sets a PAUSED handoff going again where it stopped (or withdraws a pause not yet taken). */
  resume(id: string, actor: Actor | null, reason: string | null = null): Promise<Outcome<Handoff>> {
    return this.levers.resume(id, actor, reason);
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
    // Stored with the handoff and copied into the step's output: bounded like metadata.
    if (jsonBytes(payload ?? null) > METADATA_LIMIT_BYTES) {
      return fail('TOO_LARGE', `payload must be at most ${METADATA_LIMIT_BYTES} bytes as JSON`, ['input', 'payload']);
    }
    const handoff = await this.repository.get(id);
    if (!handoff) return fail('NOT_FOUND', `No handoff with id "${id}"`, ['input', 'id']);
    const target = handoff.steps.find((candidate) => candidate.id === step);
    if (!target) return fail('NOT_FOUND', `Handoff has no step "${step}"`, ['input', 'step']);
    if (target.kind !== 'await_signal')
      return fail('INVALID_STATE', `Step "${step}" does not wait for signals`, ['input', 'step']);
    if (
      ['SUCCEEDED', 'FAILED', 'COMPENSATED', 'COMPENSATING', 'COMPENSATION_FAILED'].includes(target.status) ||
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
    const signal = storedSignal({
      outcome,
      payload,
      reason: decision.reason ?? null,
      actor: decision.actor ?? null,
      run: runOf(handoff),
    });
    if (!(await this.repository.recordSignal(id, step, signal))) {
      return fail('INVALID_STATE', 'Handoff finished before the signal arrived', ['input', 'id']);
    }
    this.runner.notifySignal(id, step, signal);
    return ok((await this.repository.get(id))!);
  }

  /**
   * Records the signal `name` on an unfinished handoff and hands it to the attempt waiting for it
   * here (other processes hear of it through the change feed): how an agent task's outcome wakes
   * its step or compensation. False when the handoff is finished or unknown.
   */
  async wake(id: string, name: string, payload: unknown): Promise<boolean> {
    if (!(await this.repository.recordSignal(id, name, payload))) return false;
    this.runner.notifySignal(id, name, payload);
    return true;
  }

  get(id: string): Promise<Handoff | null> {
    return this.repository.get(id);
  }

  /** The cancel recorded on a handoff, if any (it stays once recorded). */
  async cancelRequestOf(id: string): Promise<{ reason: string } | null> {
    return (await this.repository.requests(id))?.cancelRequest ?? null;
  }

  /** The pause request last recorded on a handoff (asked, taken or withdrawn), if any. */
  async pauseRequestOf(id: string): Promise<PauseRequest | null> {
    return readPauseRequest((await this.repository.requests(id))?.signals[PAUSE_SIGNAL]);
  }

  getMany(ids: readonly string[]): Promise<(Handoff | null)[]> {
    return this.repository.getMany(ids);
  }

  page(filter: HandoffFilter, request: PageRequest, order?: HandoffOrder): Promise<Page<Handoff>> {
    return this.repository.page(filter, request, order);
  }

  /** The store filter a client's query stands for now; null when nothing can match (see resolveHandoffQuery). */
  resolveQuery(query: HandoffQuery): ReturnType<typeof resolveHandoffQuery> {
    return resolveHandoffQuery(query, {
      now: this.clock.now(),
      agentsWithRole: (role, limit) => this.agents.idsWithCapability(role, limit),
    });
  }

  count(filter: HandoffFilter): Promise<number> {
    return this.repository.count(filter);
  }

  /** Production figures (reliability-test traffic left out), computed from the store. */
  async metrics(): Promise<HandoffMetrics> {
    return handoffMetrics(await this.repository.summaries({ test: false }));
  }

  history(id: string, afterSeq: number, limit?: number): Promise<HandoffEvent[]> {
    return this.repository.events(id, afterSeq, limit);
  }

  /** Stored events after `afterSeq`, then live ones; ends at the final event. */
  progress(id: string, afterSeq: number): AsyncIterableIterator<HandoffEvent> {
    return handoffProgress(this.repository, this.events, id, afterSeq, (error) =>
      this.logger.error({ handoffId: id, err: error }, 'progress stream failed'),
    );
  }

  /** Every event from now on, optionally without reliability-test traffic; ends when the caller leaves. */
  live(includeTests: boolean): AsyncIterableIterator<HandoffEvent> {
    const queue: AsyncQueue<HandoffEvent> = new AsyncQueue(() => unsubscribe());
    const unsubscribe = this.events.subscribe((event) => {
      if (includeTests || event.testId === null) queue.push(event);
    });
    return queue;
  }

  /**
   * Queues every unfinished handoff (start-up, or orphans of a dead process); with `leasableAt`,
   * only those no live lease holds at that time (a shared store, where others run theirs).
   */
  async resumeUnfinished(leasableAt?: number): Promise<number> {
    let queued = 0;
    const fresh = (await this.repository.unfinished(leasableAt)).filter(
      ({ id }) => !this.queue.has(id) && !this.runner.isActive(id),
    );
    const keys = await this.fairShareKeys(fresh.map(({ id }) => id));
    for (const { id, priority } of fresh) {
      if (this.queue.has(id) || this.runner.isActive(id)) continue; // queued while the keys were read
      this.queue.enqueue(id, priority, keys.get(id) ?? null);
      queued++;
    }
    return queued;
  }

  /** The fair-share keys of stored handoffs, read in batches (nothing is read when fair share is off). */
  private async fairShareKeys(ids: string[]): Promise<Map<string, string | null>> {
    const keys = new Map<string, string | null>();
    if (!this.queue.fairShare) return keys;
    for (let start = 0; start < ids.length; start += 200) {
      const handoffs = await this.repository.getMany(ids.slice(start, start + 200));
      for (const handoff of handoffs) if (handoff) keys.set(handoff.id, this.queue.keyOf(handoff));
    }
    return keys;
  }

  /**
   * Queues a handoff again after its run stopped on an unexpected error, backing off
   * (1 s, 2 s, 4 s … up to a minute) so a persistent fault does not spin.
   */
  resumeLater(id: string): void {
    const failures = (this.resumeFailures.get(id) ?? 0) + 1;
    this.resumeFailures.set(id, failures);
    const delay = Math.min(60_000, 1_000 * 2 ** (failures - 1));
    this.clock
      .sleep(delay, this.stopped.signal)
      .then(async () => {
        const handoff = await this.repository.get(id);
        if (handoff && !isFinal(handoff.status))
          return this.queue.enqueue(id, handoff.priority, this.queue.keyOf(handoff));
        this.resumeFailures.delete(id);
        // It reached a final status, but the failure may have kept that transition's events out of the log.
        if (handoff) await this.repository.repairLog(id);
      })
      .catch((error) => {
        if (!this.stopped.signal.aborted)
          this.logger.error({ handoffId: id, err: error }, 'could not queue the handoff again');
      });
  }

  /** Drops pending re-queues and deadline timers (shutdown): unfinished handoffs resume at the next start. */
  stop(): void {
    this.stopped.abort(new Error('engine stopped'));
    this.deadlines.stop();
  }

  publish(events: HandoffEvent[]): void {
    for (const event of events) {
      if (this.resumeFailures.size > 0 && isFinal(event.status)) this.resumeFailures.delete(event.handoffId);
      this.executed.publish(event);
      this.events.publish(event);
    }
  }

  /** Events another process committed: for watchers here (progress streams skip what they have by seq). */
  publishForeign(events: HandoffEvent[]): void {
    for (const event of events) {
      // Another process redrove a handoff this one may hold as finished.
      if (event.type === 'HANDOFF_REDRIVEN') this.repository.forget(event.handoffId);
      this.events.publish(event);
    }
  }

  private newId(): string {
    return `hnd_${randomUuid(this.random)}`;
  }
}

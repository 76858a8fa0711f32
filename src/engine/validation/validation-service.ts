import type { AgentService } from '../agents/agent-service.js';
import type { Page, PageRequest } from '../kernel/ports/page.js';
import { type Procedure, SEVERITIES, type Severity } from '../kernel/procedures/procedure.js';
import { AsyncQueue } from '../shared/async-queue.js';
import type { Clock } from '../shared/clock.js';
import { inexactNumber, jsonBytes } from '../shared/json-object.js';
import type { Logger } from '../shared/logger.js';
import { type Random, randomUuid } from '../shared/random.js';
import { Topic } from '../shared/topic.js';
import { fail, failAll, type Outcome, ok, type UserError } from '../shared/user-error.js';
import {
  DEFAULT_BLOCKING_SEVERITIES,
  decideOutcome,
  type RuleResult,
  type SessionOutcome,
  type ValidationRule,
} from './rule.js';
import {
  conditionEvaluator,
  missingRuleResult,
  type RuleEvaluator,
  type RunRulesOptions,
  runRules,
} from './rule-runner.js';
import type { ValidationRuleService } from './rule-service.js';
import type { ValidationProgressEvent, ValidationSession } from './session.js';
import { buildSubject, type HandoffFacts, type SubjectInput, type ValidationSubject } from './subject.js';
import { type ValidationMetrics, validationMetrics } from './validation-metrics.js';
import type { SessionFilter, ValidationSessionStore } from './validation-stores.js';

/** What the handoff engine knows about a handoff, so a session can name just its id. */
export interface HandoffForValidation {
  handoff: Partial<HandoffFacts>;
  procedureId: string | null;
  metadata: Record<string, unknown>;
}

export type HandoffLookup = (handoffId: string) => Promise<HandoffForValidation | null>;

export interface StartSessionInput {
  handoffId?: string | null;
  procedureId?: string | null;
  /** Exactly these rules; without it the procedure's gate rules, or with no procedure every enabled rule. */
  ruleIds?: string[] | null;
  context?: Record<string, unknown> | null;
  sourceAgent?: string | null;
  targetAgent?: string | null;
  sourcePhase?: string | null;
  targetPhase?: string | null;
  handoffType?: string | null;
  priority?: string | null;
  transferredKeys?: string[] | null;
  /** Overrides the procedure's blocking severities (default CRITICAL). */
  blockingSeverities?: Severity[] | null;
}

export interface EvaluateInput {
  ruleIds: string[];
  subject: SubjectInput;
  blockingSeverities?: readonly Severity[];
}

export interface Evaluation {
  outcome: SessionOutcome;
  results: RuleResult[];
  subject: ValidationSubject;
}

export interface ValidationServiceOptions {
  rules: ValidationRuleService;
  sessions: ValidationSessionStore;
  agents: Pick<AgentService, 'facts'>;
  /** The current definition of a procedure. */
  procedures: { get(id: string): Promise<Procedure | null> };
  /** What `startValidationSession(handoffId:)` fills agents, phases and metadata from. */
  handoffLookup: HandoffLookup;
  clock: Clock;
  random: Random;
  logger: Logger;
  evaluator?: RuleEvaluator;
}

type ResolvedRule = ValidationRule | { missing: string };

const MAX_RULES_PER_SESSION = 200;
/** A session stores its subject (the context included) and every rule reads it: bounded like handoff metadata. */
const CONTEXT_LIMIT_BYTES = 64 * 1024;

/**
 * Runs rule sets against validation subjects: stored sessions for the API, and
 * `evaluate` for the handoff runner's `validate` steps and pre-start gates.
 */
export class ValidationService {
  /** Every session's progress: results as they are stored, then the outcome. */
  readonly progressTopic = new Topic<ValidationProgressEvent>();
  /** Every rule this process evaluates, as it is decided: in sessions, handoff gates and validate steps. */
  readonly evaluations = new Topic<RuleResult>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly evaluator: RuleEvaluator;

  constructor(private readonly options: ValidationServiceOptions) {
    this.evaluator = options.evaluator ?? conditionEvaluator;
  }

  private async resolveRules(ids: readonly string[]): Promise<ResolvedRule[]> {
    const unique = [...new Set(ids)];
    const rules = await this.options.rules.getMany(unique);
    return rules.map((rule, index) => rule ?? { missing: unique[index] });
  }

  private runOptions(onResult?: (result: RuleResult) => Promise<void>): RunRulesOptions {
    return {
      clock: this.options.clock,
      logger: this.options.logger,
      evaluator: this.evaluator,
      onResult: (result) => {
        this.evaluations.publish(result);
        return onResult?.(result);
      },
    };
  }

  /**
   * Runs the rules against a subject without storing anything: for the handoff runner.
   * Unknown rule ids are ERROR results (of CRITICAL severity: an unknown gate blocks).
   */
  async evaluate(input: EvaluateInput): Promise<Evaluation> {
    const subject = await buildSubject(input.subject, (id) => this.options.agents.facts(id));
    const results = await runRules(await this.resolveRules(input.ruleIds), subject, this.runOptions());
    return {
      outcome: decideOutcome(results, input.blockingSeverities ?? DEFAULT_BLOCKING_SEVERITIES),
      results,
      subject,
    };
  }

  /** Starts a stored session and returns it at once (RUNNING); rules finish in the background. */
  async start(input: StartSessionInput): Promise<Outcome<ValidationSession>> {
    const launched = await this.launch(input);
    return launched.ok ? ok(launched.value.session) : launched;
  }

  /** Starts a stored session and waits for its outcome (what `start` does, awaited). */
  async runSession(input: StartSessionInput): Promise<Outcome<{ session: ValidationSession; results: RuleResult[] }>> {
    const launched = await this.launch(input);
    return launched.ok ? ok(await launched.value.run) : launched;
  }

  /** Stores the session and starts its rules in the background. */
  private async launch(
    input: StartSessionInput,
  ): Promise<
    Outcome<{ session: ValidationSession; run: Promise<{ session: ValidationSession; results: RuleResult[] }> }>
  > {
    const prepared = await this.prepare(input);
    if (!prepared.ok) return prepared;
    const { session, rules } = prepared.value;
    await this.options.sessions.insert(session);
    const run = this.execute(session, rules);
    this.track(run);
    return ok({ session, run });
  }

  private track(run: Promise<unknown>): void {
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
  }

  private async prepare(
    input: StartSessionInput,
  ): Promise<Outcome<{ session: ValidationSession; rules: ResolvedRule[] }>> {
    const errors: UserError[] = [];
    const found = input.handoffId ? await this.options.handoffLookup(input.handoffId) : null;
    const procedureId = input.procedureId ?? found?.procedureId ?? null;
    let procedure: Procedure | null = null;
    if (procedureId) {
      procedure = await this.options.procedures.get(procedureId);
      if (!procedure)
        errors.push({
          code: 'NOT_FOUND',
          message: `No procedure "${procedureId}" exists`,
          field: ['input', 'procedureId'],
        });
    }
    (input.blockingSeverities ?? []).forEach((severity, index) => {
      if (!SEVERITIES.includes(severity)) {
        errors.push({
          code: 'INVALID_VALUE',
          message: `Unknown severity "${severity}"`,
          field: ['input', 'blockingSeverities', String(index)],
        });
      }
    });

    if (input.context != null && jsonBytes(input.context) > CONTEXT_LIMIT_BYTES) {
      errors.push({
        code: 'TOO_LARGE',
        message: `context must be at most ${CONTEXT_LIMIT_BYTES} bytes as JSON`,
        field: ['input', 'context'],
      });
    } else {
      const inexact = inexactNumber(input.context, 'context');
      if (inexact) errors.push({ code: 'INVALID_VALUE', message: inexact, field: ['input', 'context'] });
    }
    if (input.ruleIds && input.ruleIds.length > MAX_RULES_PER_SESSION) {
      return fail('INVALID_VALUE', `At most ${MAX_RULES_PER_SESSION} rules per session`, ['input', 'ruleIds']);
    }
    let rules: ResolvedRule[];
    if (input.ruleIds) {
      rules = await this.resolveRules(input.ruleIds);
      rules.forEach((rule) => {
        if ('missing' in rule) {
          const index = input.ruleIds!.indexOf(rule.missing);
          errors.push({
            code: 'NOT_FOUND',
            message: `No validation rule "${rule.missing}" exists`,
            field: ['input', 'ruleIds', String(index)],
          });
        }
      });
    } else if (procedure) {
      rules = await this.resolveRules(procedure.validationRules);
    } else {
      rules = await this.options.rules.list({ enabled: true });
      // Every stored rule is work that grows with the store: past the cap a caller names the rules.
      if (rules.length > MAX_RULES_PER_SESSION)
        errors.push({
          code: 'INVALID_VALUE',
          message: `${rules.length} rules are enabled; a session checks at most ${MAX_RULES_PER_SESSION}: name the rules with ruleIds, or give a procedureId`,
          field: ['input', 'ruleIds'],
        });
    }
    if (errors.length > 0) return failAll(errors);

    const context = input.context ?? found?.metadata ?? {};
    const handoff: Partial<HandoffFacts> = {
      ...found?.handoff,
      ...definedOnly({
        handoffId: input.handoffId,
        sourceAgent: input.sourceAgent,
        targetAgent: input.targetAgent,
        sourcePhase: input.sourcePhase,
        targetPhase: input.targetPhase,
        type: input.handoffType,
        priority: input.priority,
      }),
    };
    const subject = await buildSubject(
      {
        handoff,
        context,
        procedure: procedure ? { id: procedure.id, requiredContextKeys: procedure.requiredContextKeys } : null,
        transferredKeys: input.transferredKeys,
      },
      (id) => this.options.agents.facts(id),
    );
    const session: ValidationSession = {
      id: randomUuid(this.options.random),
      status: 'RUNNING',
      outcome: null,
      handoffId: input.handoffId ?? null,
      procedureId: procedure?.id ?? null,
      ruleIds: rules.map((rule) => ('missing' in rule ? rule.missing : rule.id)),
      blockingSeverities: input.blockingSeverities ?? procedure?.blockingSeverities ?? DEFAULT_BLOCKING_SEVERITIES,
      startedAt: this.options.clock.now(),
      finishedAt: null,
      durationMs: null,
      subject,
    };
    return ok({ session, rules });
  }

  /** Runs, stores and publishes each result, then the outcome. Never rejects. */
  private async execute(
    session: ValidationSession,
    rules: ResolvedRule[],
  ): Promise<{ session: ValidationSession; results: RuleResult[] }> {
    const { sessions, logger } = this.options;
    try {
      const results = await runRules(
        rules,
        session.subject,
        this.runOptions(async (result) => {
          if (await sessions.addResult(session.id, result)) this.progressTopic.publish(resultEvent(session.id, result));
        }),
      );
      return { session: await this.finish(session, results), results };
    } catch (error) {
      logger.error({ err: error, sessionId: session.id }, 'validation session failed to run');
      const results = await sessions.results(session.id).catch(() => [] as RuleResult[]);
      return { session: await this.finish(session, results, 'FAILED').catch(() => session), results };
    }
  }

  private async finish(
    session: ValidationSession,
    results: RuleResult[],
    forced?: SessionOutcome,
  ): Promise<ValidationSession> {
    const outcome = forced ?? decideOutcome(results, session.blockingSeverities);
    const finished =
      (await this.options.sessions.complete(session, outcome, this.options.clock.now())) ??
      (await this.options.sessions.get(session.id))!;
    this.progressTopic.publish(outcomeEvent(finished, results.length));
    return finished;
  }

  /**
   * Sessions a stopped process left RUNNING: their unfinished rules become ERROR results
   * ("interrupted") and the session completes, so no subscriber waits forever.
   */
  async recoverInterrupted(): Promise<number> {
    const { sessions, clock } = this.options;
    const stale = await sessions.running();
    for (const session of stale) {
      const results = await sessions.results(session.id);
      const done = new Set(results.map((r) => r.ruleId));
      const rules = await this.resolveRules(session.ruleIds.filter((id) => !done.has(id)));
      for (const rule of rules) {
        const seq = results.length + 1;
        const at = clock.now();
        const result: RuleResult =
          'missing' in rule
            ? missingRuleResult(rule.missing, seq, at)
            : {
                ruleId: rule.id,
                ruleName: rule.name,
                severity: rule.severity,
                status: 'ERROR',
                message: 'Interrupted by a server restart before the rule finished',
                durationMs: 0,
                seq,
                at,
              };
        if (await sessions.addResult(session.id, result)) results.push(result);
      }
      await this.finish(session, results);
    }
    return stale.length;
  }

  /** Waits for sessions still running in the background. */
  async stop(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  get(id: string): Promise<ValidationSession | null> {
    return this.options.sessions.get(id);
  }

  getMany(ids: readonly string[]): Promise<(ValidationSession | null)[]> {
    return this.options.sessions.getMany(ids);
  }

  results(sessionId: string): Promise<RuleResult[]> {
    return this.options.sessions.results(sessionId);
  }

  resultsOfMany(sessionIds: readonly string[]): Promise<RuleResult[][]> {
    return this.options.sessions.resultsOfMany(sessionIds);
  }

  page(filter: SessionFilter, request: PageRequest): Promise<Page<ValidationSession>> {
    return this.options.sessions.page(filter, request);
  }

  count(filter: SessionFilter): Promise<number> {
    return this.options.sessions.count(filter);
  }

  /**
   * The session's progress: stored results first, then live ones (each rule once), then
   * the outcome, then the end; events up to `afterSeq` are left out (a client resuming). Null when
   * there is no such session.
   */
  async progress(sessionId: string, afterSeq = 0): Promise<AsyncIterableIterator<ValidationProgressEvent> | null> {
    const seen = new Set<string>();
    let replayed = false;
    const early: ValidationProgressEvent[] = [];
    const queue: AsyncQueue<ValidationProgressEvent> = new AsyncQueue(() => unsubscribe());
    const deliver = (event: ValidationProgressEvent) => {
      if (event.ruleId !== null) {
        if (seen.has(event.ruleId)) return;
        seen.add(event.ruleId);
        if (event.seq > afterSeq) queue.push(event);
      } else {
        if (event.seq > afterSeq) queue.push(event);
        queue.end();
      }
    };
    // Listen before reading the store: anything stored after the read arrives live.
    const unsubscribe = this.progressTopic.subscribe((event) => {
      if (event.sessionId !== sessionId) return;
      if (replayed) deliver(event);
      else early.push(event);
    });
    try {
      const session = await this.options.sessions.get(sessionId);
      if (!session) {
        queue.return();
        return null;
      }
      const results = await this.options.sessions.results(sessionId);
      for (const result of results) deliver(resultEvent(sessionId, result));
      if (session.status === 'COMPLETED') deliver(outcomeEvent(session, results.length));
      for (const event of early) if (!queue.isEnded) deliver(event);
      replayed = true;
      return queue;
    } catch (error) {
      queue.return();
      throw error;
    }
  }

  /** Counted from the store, so they survive restarts. */
  async metrics(): Promise<ValidationMetrics> {
    return validationMetrics(await this.options.rules.list(), this.options.sessions);
  }
}

function definedOnly<T extends Record<string, unknown>>(value: T): Partial<{ [K in keyof T]: NonNullable<T[K]> }> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && v !== null)) as Partial<{
    [K in keyof T]: NonNullable<T[K]>;
  }>;
}

function resultEvent(sessionId: string, result: RuleResult): ValidationProgressEvent {
  return {
    sessionId,
    seq: result.seq,
    ruleId: result.ruleId,
    severity: result.severity,
    status: result.status,
    message: result.message,
    detail: result.detail ?? null,
    durationMs: result.durationMs,
    outcome: null,
    at: result.at,
  };
}

function outcomeEvent(session: ValidationSession, resultCount: number): ValidationProgressEvent {
  return {
    sessionId: session.id,
    seq: resultCount + 1,
    ruleId: null,
    severity: null,
    status: null,
    message: `Session ${session.outcome ?? 'finished'}`,
    durationMs: session.durationMs,
    outcome: session.outcome,
    at: session.finishedAt ?? session.startedAt,
  };
}

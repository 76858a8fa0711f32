import type { AgentService } from '../agents/agent-service.js';
import { type Handoff, UNFINISHED_STATUSES } from '../kernel/handoff/handoff.js';
import type { HandoffService } from '../kernel/handoff-service.js';
import type { Page, PageRequest } from '../kernel/ports/page.js';
import { DuplicateKeyError } from '../kernel/ports/store-errors.js';
import type { ProcedureService } from '../kernel/procedures/procedure-service.js';
import { AsyncQueue } from '../shared/async-queue.js';
import { type Clock, startTimeout } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { type Random, randomToken } from '../shared/random.js';
import { Topic } from '../shared/topic.js';
import { fail, failAll, type Outcome, ok, type UserError } from '../shared/user-error.js';
import type { FaultInjectors } from './fault-injectors.js';
import { checkParameters } from './parameter-checks.js';
import type { ReliabilityConfigStore, ReliabilityTestStore, TestFilter } from './reliability-stores.js';
import {
  isFinalTestStatus,
  RELIABILITY_TEST_TYPES,
  type ReliabilityProgressEvent,
  type ReliabilityTest,
  type ReliabilityTestConfig,
  type ReliabilityTestType,
  type TestParameters,
} from './reliability-test.js';
import { defaultParameters, standardConfigs } from './standard-configs.js';
import { passingContext, provisionAgents, unsupportedSteps } from './test-fixture.js';
import { TestRun } from './test-run.js';

export interface CreateConfigInput
  extends Partial<Omit<TestParameters, 'iterations' | 'timeoutMs' | 'concurrentLimit'>> {
  id: string;
  type: ReliabilityTestType;
  name?: string | null;
  description?: string | null;
  iterations: number;
  timeoutMs: number;
  concurrentLimit: number;
}

export interface StartTestInput {
  configId: string;
  /** Default PHASE_TRANSITION_STANDARD. */
  procedureId?: string | null;
  overrides?: Partial<Record<keyof TestParameters, number | null>> | null;
  /** Seed of the fault injection; random when absent. */
  seed?: number | null;
}

export interface ReliabilityMetrics {
  tests: number;
  running: number;
  completed: number;
  cancelled: number;
  failed: number;
  /** Mean success rate of COMPLETED tests; 0 when none. */
  averageSuccessRate: number;
  /** Iterations run by COMPLETED tests. */
  iterations: number;
  byType: { type: ReliabilityTestType; completed: number; averageSuccessRate: number }[];
}

const CONFIG_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
/** Seeds fit a GraphQL Int. */
export const MAX_SEED = 2_147_483_647;
const DEFAULT_PROCEDURE = 'PHASE_TRANSITION_STANDARD';
/** A RUNNING test whose progress has not been written for this long was left by a dead process (shared store). */
const STALE_AFTER_MS = 5 * 60_000;

export interface ReliabilityServiceDeps {
  configs: ReliabilityConfigStore;
  tests: ReliabilityTestStore;
  handoffs: HandoffService;
  agents: AgentService;
  procedures: ProcedureService;
  faults: FaultInjectors;
  clock: Clock;
  random: Random;
  logger: Logger;
  /** Tests that may run at once in this process. */
  maxRunningTests?: number;
}

const mean = (values: number[]) => (values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length);

/** Reliability tests: configurations, runs against the real engine, results, progress. */
export class ReliabilityService {
  private readonly runs = new Map<string, TestRun>();
  private readonly events = new Topic<ReliabilityProgressEvent>();
  private stopping = false;

  constructor(private readonly deps: ReliabilityServiceDeps) {}

  /** Stores the six standard configurations that are missing. */
  async seedDefaults(): Promise<void> {
    await this.deps.configs.insertMissing(standardConfigs(this.deps.clock.now()));
  }

  listConfigs(): Promise<ReliabilityTestConfig[]> {
    return this.deps.configs.list();
  }

  getConfig(id: string): Promise<ReliabilityTestConfig | null> {
    return this.deps.configs.get(id);
  }

  getConfigs(ids: readonly string[]): Promise<(ReliabilityTestConfig | null)[]> {
    return this.deps.configs.getMany(ids);
  }

  async createConfig(input: CreateConfigInput): Promise<Outcome<ReliabilityTestConfig>> {
    const errors: UserError[] = [];
    if (!CONFIG_ID.test(input.id)) {
      errors.push({
        field: ['input', 'id'],
        code: 'INVALID_VALUE',
        message: 'id must be 1–64 letters, digits or _ . : - and start with a letter or digit',
      });
    }
    if (!RELIABILITY_TEST_TYPES.includes(input.type))
      errors.push({ field: ['input', 'type'], code: 'INVALID_VALUE', message: 'unknown test type' });
    for (const field of ['name', 'description'] as const) {
      if ((input[field]?.length ?? 0) > 2_000)
        errors.push({
          field: ['input', field],
          code: 'INVALID_VALUE',
          message: `${field} must be at most 2000 characters`,
        });
    }
    const defaults = defaultParameters(input.type);
    const parameters: TestParameters = {
      iterations: input.iterations,
      timeoutMs: input.timeoutMs,
      concurrentLimit: input.concurrentLimit,
      failureRate: input.failureRate ?? defaults.failureRate,
      stressFactor: input.stressFactor ?? defaults.stressFactor,
      ratePerSec: input.ratePerSec === undefined ? defaults.ratePerSec : input.ratePerSec,
      windowMs: input.windowMs ?? defaults.windowMs,
    };
    errors.push(...checkParameters(parameters, ['input']));
    if (errors.length > 0) return failAll(errors);
    const now = this.deps.clock.now();
    const config: ReliabilityTestConfig = {
      id: input.id,
      type: input.type,
      name: input.name ?? input.id,
      description: input.description ?? '',
      ...parameters,
      builtIn: false,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.deps.configs.insert(config);
    } catch (error) {
      if (error instanceof DuplicateKeyError)
        return fail('DUPLICATE_KEY', `A configuration "${input.id}" already exists`, ['input', 'id']);
      throw error;
    }
    return ok(config);
  }

  /** Checks the input, provisions agents and starts the test in the background; returns it RUNNING. */
  async start(input: StartTestInput): Promise<Outcome<ReliabilityTest>> {
    if (this.stopping) return fail('UNAVAILABLE', 'The server is shutting down');
    const max = this.deps.maxRunningTests ?? 4;
    if (this.runs.size >= max)
      return fail('TOO_MANY_TESTS', `At most ${max} reliability tests may run at once; wait or cancel one`);
    const config = await this.deps.configs.get(input.configId);
    if (!config)
      return fail('NOT_FOUND', `No reliability test configuration "${input.configId}"`, ['input', 'configId']);
    const procedureId = input.procedureId ?? DEFAULT_PROCEDURE;
    const procedure = await this.deps.procedures.get(procedureId);
    if (!procedure) return fail('NOT_FOUND', `No procedure with id "${procedureId}"`, ['input', 'procedureId']);
    const unsupported = unsupportedSteps(procedure);
    if (unsupported.length > 0) {
      return fail('UNSUPPORTED_PROCEDURE', `The harness cannot signal await_signal steps (${unsupported.join(', ')})`, [
        'input',
        'procedureId',
      ]);
    }
    const overrides = Object.fromEntries(
      Object.entries(input.overrides ?? {}).filter(([, value]) => value !== undefined && value !== null),
    );
    const errors = checkParameters(overrides, ['input', 'overrides']);
    if (input.seed != null && (!Number.isInteger(input.seed) || input.seed < 0 || input.seed > MAX_SEED)) {
      errors.push({
        field: ['input', 'seed'],
        code: 'INVALID_VALUE',
        message: `seed must be an integer between 0 and ${MAX_SEED}`,
      });
    }
    if (errors.length > 0) return failAll(errors);

    const {
      id: _id,
      type,
      name: _name,
      description: _description,
      builtIn: _builtIn,
      createdAt: _c,
      updatedAt: _u,
      ...defaults
    } = config;
    const parameters: TestParameters = { ...defaults, ...overrides };
    const id = `rt_${randomToken(this.deps.random, 16)}`;
    const now = this.deps.clock.now();
    const test: ReliabilityTest = {
      id,
      configId: config.id,
      type,
      procedureId: procedure.id,
      procedureVersion: procedure.version,
      parameters,
      seed: input.seed ?? Math.floor(this.deps.random.next() * MAX_SEED),
      status: 'RUNNING',
      progress: { completed: 0, total: parameters.iterations, succeeded: 0, failed: 0, running: 0 },
      result: null,
      error: null,
      cancelReason: null,
      createdAt: now,
      finishedAt: null,
    };
    const agents = await provisionAgents(this.deps.agents, id, this.deps.clock, this.deps.logger);
    try {
      await this.deps.tests.insert(test, 1);
    } catch (error) {
      await agents.retire();
      throw error;
    }
    const run = new TestRun(
      {
        handoffs: this.deps.handoffs,
        faults: this.deps.faults,
        tests: this.deps.tests,
        clock: this.deps.clock,
        logger: this.deps.logger,
        publish: (event) => this.events.publish(event),
      },
      test,
      procedure,
      {
        sourceAgent: agents.ids.source,
        targetAgent: agents.ids.target,
        sourcePhase: `${id}-phase-1`,
        targetPhase: `${id}-phase-2`,
        metadata: passingContext(procedure, id),
      },
      async () => {
        await agents.retire();
        this.runs.delete(id);
      },
    );
    this.runs.set(id, run);
    this.events.publish(run.snapshot());
    this.deps.logger.info(
      { testId: id, configId: config.id, procedureId: procedure.id, parameters },
      'reliability test started',
    );
    return ok(test);
  }

  /** Stops releasing iterations, cancels running ones, and resolves once the test is CANCELLED. */
  async cancel(id: string, reason: string): Promise<Outcome<ReliabilityTest>> {
    const run = this.runs.get(id);
    if (run) {
      run.cancel(reason);
      return ok(await run.done);
    }
    const test = await this.deps.tests.get(id);
    if (!test) return fail('NOT_FOUND', `No reliability test "${id}"`, ['input', 'id']);
    if (isFinalTestStatus(test.status))
      return fail('INVALID_STATE', `The test is ${test.status} and can no longer be cancelled`, ['input', 'id']);
    // Running in a process that is gone (or another one): end it from the store.
    return ok((await this.abandon(test, 'CANCELLED', reason)) ?? (await this.deps.tests.get(id))!);
  }

  get(id: string): Promise<ReliabilityTest | null> {
    return this.deps.tests.get(id);
  }

  getMany(ids: readonly string[]): Promise<(ReliabilityTest | null)[]> {
    return this.deps.tests.getMany(ids);
  }

  page(filter: TestFilter, request: PageRequest): Promise<Page<ReliabilityTest>> {
    return this.deps.tests.page(filter, request);
  }

  count(filter: TestFilter): Promise<number> {
    return this.deps.tests.count(filter);
  }

  /** Resolves with the test once it is final (at once when it already is); null when unknown. */
  async whenFinished(id: string): Promise<ReliabilityTest | null> {
    const run = this.runs.get(id);
    return run ? run.done : this.deps.tests.get(id);
  }

  /**
   * The test's current progress first, then each change live; ends after the final status.
   * Null when there is no such test.
   */
  async progress(id: string): Promise<AsyncIterableIterator<ReliabilityProgressEvent> | null> {
    let last = 0;
    let replaying = true;
    const heldBack: ReliabilityProgressEvent[] = [];
    const unsubscribe = this.events.subscribe((event) => {
      if (event.testId !== id) return;
      if (replaying) heldBack.push(event);
      else emit(event);
    });
    const queue = new AsyncQueue<ReliabilityProgressEvent>(unsubscribe);
    const emit = (event: ReliabilityProgressEvent) => {
      if (event.seq <= last || queue.isEnded) return;
      last = event.seq;
      queue.push(event);
      if (isFinalTestStatus(event.status)) queue.end();
    };
    const run = this.runs.get(id);
    let current: ReliabilityProgressEvent | null = run ? run.snapshot() : null;
    if (!current) {
      const stored = await this.deps.tests.getWithSeq(id);
      if (!stored) {
        queue.end();
        return null;
      }
      const { test, seq } = stored;
      current = {
        testId: id,
        seq,
        status: test.status,
        at: test.finishedAt ?? this.deps.clock.now(),
        ...test.progress,
      };
    }
    emit(current);
    replaying = false;
    heldBack.splice(0).forEach(emit);
    return queue;
  }

  async metrics(): Promise<ReliabilityMetrics> {
    const [tests, running, completed, cancelled, failed, rates] = await Promise.all([
      this.deps.tests.count({}),
      this.deps.tests.count({ statuses: ['RUNNING'] }),
      this.deps.tests.count({ statuses: ['COMPLETED'] }),
      this.deps.tests.count({ statuses: ['CANCELLED'] }),
      this.deps.tests.count({ statuses: ['FAILED'] }),
      this.deps.tests.completedRates(),
    ]);
    return {
      tests,
      running,
      completed,
      cancelled,
      failed,
      averageSuccessRate: mean(rates.map((r) => r.successRate)),
      iterations: rates.reduce((sum, r) => sum + r.iterations, 0),
      byType: RELIABILITY_TEST_TYPES.map((type) => {
        const ofType = rates.filter((r) => r.type === type);
        return { type, completed: ofType.length, averageSuccessRate: mean(ofType.map((r) => r.successRate)) };
      }),
    };
  }

  /**
   * Tests left RUNNING by a process that stopped: their handoffs are cancelled and the test
   * is marked FAILED. With an exclusive (embedded) store every such test is ours and stale.
   */
  async recoverInterrupted(exclusiveStore: boolean): Promise<number> {
    const staleBefore = exclusiveStore ? Number.MAX_SAFE_INTEGER : this.deps.clock.now() - STALE_AFTER_MS;
    const stale = (await this.deps.tests.runningSince(staleBefore)).filter((test) => !this.runs.has(test.id));
    for (const test of stale) await this.abandon(test, 'FAILED', 'interrupted: the server stopped while the test ran');
    return stale.length;
  }

  /** Cancels running tests and waits (up to `graceMs`) for their handoffs to end; called before the engine stops. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    const runs = [...this.runs.values()];
    for (const run of runs) run.cancel('the server is shutting down');
    let cancelGrace = (): void => undefined;
    const grace = new Promise<void>((resolve) => {
      cancelGrace = startTimeout(this.deps.clock, graceMs, resolve, { background: true });
    });
    await Promise.race([Promise.all(runs.map((run) => run.done)), grace]);
    cancelGrace();
  }

  /** Ends a test this process is not running: cancels its unfinished handoffs, stores the final status. */
  private async abandon(
    test: ReliabilityTest,
    status: 'CANCELLED' | 'FAILED',
    reason: string,
  ): Promise<ReliabilityTest | null> {
    let after: string | null = null;
    for (;;) {
      const page: Page<Handoff> = await this.deps.handoffs.page(
        { testId: test.id, status: [...UNFINISHED_STATUSES] },
        { first: 100, after },
      );
      for (const { node } of page.items)
        if (node.cancelReason === null) await this.deps.handoffs.cancel(node.id, reason);
      if (!page.hasNextPage) break;
      after = page.items.at(-1)!.cursor;
    }
    const seq = (await this.deps.tests.seqOf(test.id)) + 1;
    const finished = await this.deps.tests.finish(test.id, {
      status,
      progress: { ...test.progress, running: 0 },
      seq,
      result: null,
      error: status === 'FAILED' ? reason : null,
      cancelReason: status === 'CANCELLED' ? reason : null,
      finishedAt: this.deps.clock.now(),
    });
    if (finished) this.events.publish({ testId: test.id, seq, status, at: finished.finishedAt!, ...finished.progress });
    return finished;
  }
}

import { setMaxListeners } from 'node:events';
import type { HandoffService } from '../kernel/handoff-service.js';
import type { Procedure } from '../kernel/procedures/procedure.js';
import type { Clock } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import type { FaultInjectors } from './fault-injectors.js';
import { createFaultHook } from './fault-plan.js';
import { iterationIndexOf, runIteration } from './iteration.js';
import { runIterations, type Schedule } from './iteration-pool.js';
import { inFlightLimit } from './parameter-checks.js';
import type { ReliabilityTestStore } from './reliability-stores.js';
import type {
  FaultKind,
  ReliabilityProgressEvent,
  ReliabilityTest,
  ReliabilityTestStatus,
  TestProgress,
} from './reliability-test.js';
import type { Provisioned } from './test-fixture.js';
import { buildResult, type IterationRecord } from './test-stats.js';

export interface TestRunDeps {
  handoffs: HandoffService;
  faults: FaultInjectors;
  tests: ReliabilityTestStore;
  clock: Clock;
  logger: Logger;
  publish(event: ReliabilityProgressEvent): void;
}

/** How a test type releases its iterations. */
export function scheduleFor(test: Pick<ReliabilityTest, 'type' | 'parameters'>): Schedule {
  if (test.type === 'CONCURRENCY') return { kind: 'waves' };
  const rate = test.parameters.ratePerSec;
  return rate !== null && rate > 0 ? { kind: 'rate', intervalMs: 1000 / rate } : { kind: 'pool' };
}

/**
 * One running test in this process: releases iterations, records how each went, streams
 * progress, stores the result. `done` settles once the test is stored in a final status.
 */
export class TestRun {
  readonly done: Promise<ReliabilityTest>;
  private readonly records: IterationRecord[] = [];
  private readonly faultCounts = new Map<FaultKind, number>();
  private readonly cancelled = new AbortController();
  private cancelReason: string | null = null;
  private running = 0;
  private succeeded = 0;
  private failed = 0;
  private seq = 1;
  private status: ReliabilityTestStatus = 'RUNNING';
  private writes: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly deps: TestRunDeps,
    private readonly test: ReliabilityTest,
    private readonly procedure: Procedure,
    private readonly provisioned: Provisioned,
    /** Called once the run is over, whatever happened (releases agents). */
    private readonly cleanUp: () => Promise<void>,
  ) {
    // Every iteration in flight listens for the test's cancel (and stops listening when it ends):
    // as many listeners as the in-flight limit is the design, not a leak, so Node's warning at 11 is off.
    setMaxListeners(0, this.cancelled.signal);
    this.done = this.drive();
  }

  /** Stops releasing iterations and cancels the running ones; `done` settles once they ended. */
  cancel(reason: string): void {
    if (this.cancelReason !== null || this.status !== 'RUNNING') return;
    this.cancelReason = reason;
    this.cancelled.abort();
  }

  /** The current progress, as the next subscriber's first event. */
  snapshot(): ReliabilityProgressEvent {
    return { testId: this.test.id, seq: this.seq, status: this.status, at: this.deps.clock.now(), ...this.progress() };
  }

  private progress(): TestProgress {
    return {
      completed: this.records.length,
      total: this.test.parameters.iterations,
      succeeded: this.succeeded,
      failed: this.failed,
      running: this.running,
    };
  }

  private async drive(): Promise<ReliabilityTest> {
    const { clock, logger } = this.deps;
    const origin = clock.now();
    const unregister = this.registerFaults();
    let error: string | null = null;
    try {
      await runIterations({
        total: this.test.parameters.iterations,
        limit: inFlightLimit(this.test.parameters),
        schedule: scheduleFor(this.test),
        clock,
        signal: this.cancelled.signal,
        run: (index) => this.iteration(index, origin),
        onError: (err, index) => {
          logger.error({ testId: this.test.id, iteration: index, err }, 'reliability test iteration crashed');
          this.add({
            index,
            handoffId: null,
            outcome: 'FAILED',
            startMs: 0,
            latencyMs: 0,
            errorCodes: ['HARNESS_ERROR'],
            rolledBack: false,
            rollbackNeeded: false,
            rollbackClean: false,
            retries: 0,
          });
        },
      });
    } catch (err) {
      error = `the harness failed: ${err instanceof Error ? err.message : String(err)}`;
      logger.error({ testId: this.test.id, err }, 'reliability test failed');
    } finally {
      unregister();
    }
    const finishedAt = clock.now();
    this.status = error !== null ? 'FAILED' : this.cancelReason !== null ? 'CANCELLED' : 'COMPLETED';
    const result = buildResult(this.records, {
      durationMs: finishedAt - origin,
      concurrency: inFlightLimit(this.test.parameters),
      windowMs: this.test.parameters.windowMs,
      faults: this.faultCounts,
    });
    this.seq++;
    await this.writes;
    const stored = await this.deps.tests
      .finish(this.test.id, {
        status: this.status,
        progress: this.progress(),
        seq: this.seq,
        result,
        error,
        cancelReason: this.cancelReason,
        finishedAt,
      })
      .catch((err: unknown) => {
        logger.error({ testId: this.test.id, err }, 'could not store the reliability test result');
        return null;
      });
    await this.cleanUp().catch((err: unknown) =>
      logger.warn({ testId: this.test.id, err }, 'reliability test clean-up failed'),
    );
    this.deps.publish(this.snapshot());
    return (
      stored ?? {
        ...this.test,
        status: this.status,
        progress: this.progress(),
        result,
        error,
        cancelReason: this.cancelReason,
        finishedAt,
      }
    );
  }

  private registerFaults(): () => void {
    const { failureRate } = this.test.parameters;
    if (failureRate <= 0) return () => undefined;
    const hook = createFaultHook({
      seed: this.test.seed,
      failureRate,
      stepTimeouts: new Map(this.procedure.steps.map((step) => [step.id, step.timeoutMs])),
      clock: this.deps.clock,
      iterationOf: (handoff) => iterationIndexOf(this.test.id, handoff.id),
      onFault: (kind) => this.faultCounts.set(kind, (this.faultCounts.get(kind) ?? 0) + 1),
    });
    return this.deps.faults.register(this.test.id, hook);
  }

  private async iteration(index: number, origin: number): Promise<void> {
    this.running++;
    try {
      const record = await runIteration(
        {
          handoffs: this.deps.handoffs,
          clock: this.deps.clock,
          testId: this.test.id,
          procedureId: this.test.procedureId,
          provisioned: this.provisioned,
          timeoutMs: this.test.parameters.timeoutMs,
          origin,
          cancelled: this.cancelled.signal,
        },
        index,
      );
      this.running--;
      this.add(record);
    } catch (error) {
      this.running--;
      throw error;
    }
  }

  /** One more iteration finished: count it, publish and store the progress (writes stay in order). */
  private add(record: IterationRecord): void {
    this.records.push(record);
    if (record.outcome === 'SUCCEEDED') this.succeeded++;
    if (record.outcome === 'FAILED') this.failed++;
    this.seq++;
    const event = this.snapshot();
    this.deps.publish(event);
    const { testId: id, seq, at, status: _status, ...progress } = event;
    this.writes = this.writes
      .then(() => this.deps.tests.updateProgress(id, progress, seq, at))
      .catch((err: unknown) => this.deps.logger.warn({ testId: id, err }, 'could not store reliability test progress'));
  }
}

import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { HANDOFF_STATUSES } from '../engine/kernel/handoff/handoff.js';
import { isFinalEvent } from '../engine/kernel/handoff/handoff-event.js';
import type { Logger } from '../engine/shared/logger.js';
import { type RuleEvaluationLike, ruleEvaluationMetrics } from './validation-metrics.js';

/** The slice of a handoff event (engine/handoffs/handoff-event.ts) the metrics read. */
export interface HandoffEventLike {
  type: string;
  /** The handoff's status right after the event. */
  status?: string;
  durationMs?: number;
  /** Set for reliability-test traffic, which is labelled `source="test"`. */
  testId?: string | null;
}

interface Subscribable<T> {
  subscribe(listener: (event: T) => void): () => void;
}

/** What the metrics read from the engine (the Engine has it; tests can pass a stand-in). */
export interface EngineMetricsSources {
  procedures: { list(): Promise<unknown[]> };
  handoffs: {
    /** The events of the handoffs this process ran, live. */
    executed: Subscribable<HandoffEventLike>;
    /** Handoffs matching a filter right now (engine.handoffs.count). */
    count(filter: { status?: string[]; test?: boolean }): Promise<number>;
  };
  validation: {
    /** Every rule this process evaluates, as it is decided. */
    evaluations: Subscribable<RuleEvaluationLike>;
  };
}

/** Step durations from milliseconds to minutes. */
const STEP_DURATION_BUCKETS_S = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/** Counters and histograms fed by handoff events; `observe` takes one event. */
export function handoffEventMetrics(registry: Registry): { observe(event: HandoffEventLike): void } {
  const registers = [registry];
  const finished = new Counter({
    name: 'handoff_handoffs_finished_total',
    help: 'Handoffs that reached a final status, by that status.',
    labelNames: ['status', 'source'],
    registers,
  });
  const stepDuration = new Histogram({
    name: 'handoff_step_duration_seconds',
    help: 'Duration of step attempts, by outcome.',
    labelNames: ['outcome', 'source'],
    buckets: STEP_DURATION_BUCKETS_S,
    registers,
  });
  const retries = new Counter({
    name: 'handoff_step_retries_total',
    help: 'Step retries scheduled after a failed attempt.',
    labelNames: ['source'],
    registers,
  });
  const rollbacks = new Counter({
    name: 'handoff_rollbacks_total',
    help: 'Rollbacks started (a handoff failed or was cancelled after some steps ran).',
    labelNames: ['source'],
    registers,
  });
  const compensations = new Counter({
    name: 'handoff_compensations_total',
    help: 'Compensation (rollback) actions finished, by outcome.',
    labelNames: ['outcome', 'source'],
    registers,
  });

  return {
    observe(event) {
      const source = event.testId ? 'test' : 'live';
      switch (event.type) {
        case 'STEP_SUCCEEDED':
        case 'STEP_FAILED':
          if (typeof event.durationMs === 'number' && event.durationMs >= 0) {
            stepDuration.observe(
              { outcome: event.type === 'STEP_SUCCEEDED' ? 'succeeded' : 'failed', source },
              event.durationMs / 1000,
            );
          }
          return;
        case 'STEP_RETRY_SCHEDULED':
          retries.inc({ source });
          return;
        case 'ROLLBACK_STARTED':
          rollbacks.inc({ source });
          return;
        case 'COMPENSATION_SUCCEEDED':
        case 'COMPENSATION_FAILED':
          compensations.inc({ outcome: event.type === 'COMPENSATION_SUCCEEDED' ? 'succeeded' : 'failed', source });
          return;
        default:
          if (isFinalEvent(event) && event.status) finished.inc({ status: event.status, source });
      }
    },
  };
}

/**
 * Registers the engine's figures on `registry`: gauges computed at scrape time from engine
 * queries, counters and histograms fed by engine topics. Returns the function that unhooks them.
 */
export function registerEngineMetrics(registry: Registry, sources: EngineMetricsSources, logger?: Logger): () => void {
  const registers = [registry];
  const failed = (what: string) => (error: unknown) => logger?.warn({ err: error }, `metrics: could not read ${what}`);

  new Gauge({
    name: 'handoff_procedures',
    help: 'Procedures defined.',
    registers,
    async collect() {
      await sources.procedures.list().then((all) => this.set(all.length), failed('procedures'));
    },
  });

  const { handoffs } = sources;
  new Gauge({
    name: 'handoff_handoffs',
    help: 'Handoffs by current status (reliability-test traffic left out).',
    labelNames: ['status'],
    registers,
    async collect() {
      // One indexed count per status: a handful of store reads per scrape.
      await Promise.all(
        HANDOFF_STATUSES.map((status) =>
          handoffs.count({ status: [status], test: false }).then((n) => [status, n] as const),
        ),
      ).then((counts) => {
        for (const [status, n] of counts) this.set({ status }, n);
      }, failed('handoffs by status'));
    },
  });
  const metrics = handoffEventMetrics(registry);
  const rules = ruleEvaluationMetrics(registry);
  const unsubscribe = [
    handoffs.executed.subscribe((event) => metrics.observe(event)),
    sources.validation.evaluations.subscribe((result) => rules.observe(result)),
  ];
  return () => unsubscribe.forEach((stop) => stop());
}

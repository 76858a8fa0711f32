import type { HandoffEvent } from '../kernel/handoff/handoff-event.js';
import type { HandoffTrail } from './handoff-trail.js';
import {
  ALL_PROCEDURES,
  BUCKET_MS,
  BUCKET_SIZES,
  type BucketSize,
  insightIds,
  type SeriesCounts,
  type StepCounters,
} from './insight-store.js';
import { retryDelayBand } from './retry-delay-band.js';

/** Durations counted by value before they reach a sketch: one record per distinct millisecond, not per event. */
export type Tally = Map<number, number>;

function tally(into: Tally, ms: number): void {
  const value = Math.max(1, Math.round(ms));
  into.set(value, (into.get(value) ?? 0) + 1);
}

export interface SeriesDelta {
  size: BucketSize;
  start: number;
  scope: string;
  counts: Partial<SeriesCounts>;
  durations: Tally;
  waits: Tally;
  /** The most handoffs waiting at once while this batch folded events of the bucket, and at the last one. */
  depthMax: number;
  depthEnd: number;
}

export interface StepDelta {
  size: BucketSize;
  start: number;
  procedureId: string;
  version: number;
  stepId: string;
  attempts: number;
  successes: number;
  failures: number;
  timeouts: number;
  durations: Tally;
}

export interface StatsDelta extends StepCounters {
  durations: Tally;
  remaining: Tally;
  updatedAt: number;
}

const NO_SCOPES: readonly string[] = [];
const ONLY_ALL: readonly string[] = [ALL_PROCEDURES];

interface CurrentBuckets {
  from: number;
  until: number;
  deltas: SeriesDelta[];
}

const FINAL_COUNTS: Partial<Record<HandoffEvent['type'], keyof SeriesCounts>> = {
  HANDOFF_CREATED: 'created',
  HANDOFF_STARTED: 'started',
  HANDOFF_COMPLETED: 'completed',
  HANDOFF_FAILED: 'failed',
  HANDOFF_ROLLED_BACK: 'rolledBack',
  HANDOFF_ROLLBACK_FAILED: 'rollbackFailed',
  HANDOFF_CANCELLED: 'cancelled',
  HANDOFF_REDRIVEN: 'redriven',
  STEP_STARTED: 'attempts',
  // The start of an attempt of a kind that waits (a signal, an agent's task).
  STEP_WAITING: 'attempts',
  STEP_FAILED: 'attemptFailures',
};

/**
 * What one batch of committed events adds to the series, the step buckets and the step statistics,
 * before it is merged into what is stored (see fold-merge.ts). Each event is counted against the
 * trail of its handoff as it stood before the event.
 */
export class FoldDeltas {
  readonly series = new Map<string, SeriesDelta>();
  readonly steps = new Map<string, StepDelta>();
  readonly stats = new Map<string, StatsDelta>();
  foldedThrough: number;
  /** Per scope, the minute (and its hour) the last event fell in. */
  private readonly current = new Map<string, CurrentBuckets>();
  private readonly scopes = new Map<string, readonly string[]>();

  /** `depth`: handoffs waiting to start per scope when the batch begins (changed in place as events come). */
  constructor(
    readonly depth: Record<string, number>,
    foldedThrough: number,
  ) {
    this.foldedThrough = foldedThrough;
  }

  add(event: HandoffEvent, trail: HandoffTrail): void {
    this.foldedThrough = Math.max(this.foldedThrough, event.at);
    const scopes = this.scopesOf(trail);
    this.countQueue(event, trail, scopes);
    const counted = FINAL_COUNTS[event.type];
    if (counted) for (const scope of scopes) this.inc(event.at, scope, counted);
    if (event.type === 'STEP_FAILED' && event.data?.timeout === true)
      for (const scope of scopes) this.inc(event.at, scope, 'timeouts');
    if (event.type === 'HANDOFF_COMPLETED' && trail.runStartedAt !== null)
      for (const scope of scopes)
        for (const delta of this.seriesDeltas(event.at, scope)) tally(delta.durations, event.at - trail.runStartedAt);
    // Touching the buckets of every scope keeps their queue gauges current even when nothing was counted.
    for (const scope of scopes) this.seriesDeltas(event.at, scope);
    if (trail.procedureId && event.step) this.addStep(event, trail, trail.procedureId);
    if (trail.procedureId && event.type === 'HANDOFF_COMPLETED') this.addRemaining(event, trail, trail.procedureId);
  }

  /** The series an event of the handoff counts in: every production handoff's, and its procedure's. */
  private scopesOf(trail: HandoffTrail): readonly string[] {
    if (trail.test) return NO_SCOPES;
    if (!trail.procedureId) return ONLY_ALL;
    let scopes = this.scopes.get(trail.procedureId);
    if (!scopes) {
      scopes = [ALL_PROCEDURES, trail.procedureId];
      this.scopes.set(trail.procedureId, scopes);
    }
    return scopes;
  }

  /** Waiting to start: a handoff that enters PENDING joins the queue, one that leaves it (started or not) leaves. */
  private countQueue(event: HandoffEvent, trail: HandoffTrail, scopes: readonly string[]): void {
    const entered = event.status === 'PENDING' && trail.status !== 'PENDING';
    const left = trail.status === 'PENDING' && event.status !== 'PENDING';
    if (!entered && !left) return;
    for (const scope of scopes) {
      this.depth[scope] = Math.max(0, (this.depth[scope] ?? 0) + (entered ? 1 : -1));
      this.inc(event.at, scope, entered ? 'queued' : 'dequeued');
      // Every event of a transition carries the status it ends in: the run's start is the first that is RUNNING or WAITING.
      if (left && (event.status === 'RUNNING' || event.status === 'WAITING') && trail.queuedAt !== null)
        for (const delta of this.seriesDeltas(event.at, scope)) tally(delta.waits, event.at - trail.queuedAt);
    }
  }

  private addStep(event: HandoffEvent, trail: HandoffTrail, procedureId: string): void {
    const stepId = event.step!;
    const succeeded = event.type === 'STEP_SUCCEEDED';
    if (!succeeded && event.type !== 'STEP_FAILED') return;
    const timedOut = event.data?.timeout === true;
    const durationMs = event.durationMs ?? 0;
    for (const size of BUCKET_SIZES) {
      const start = bucketStart(event.at, size);
      const id = insightIds.step(size, start, procedureId, trail.version, stepId);
      let delta = this.steps.get(id);
      if (!delta) {
        delta = {
          size,
          start,
          procedureId,
          version: trail.version,
          stepId,
          attempts: 0,
          successes: 0,
          failures: 0,
          timeouts: 0,
          durations: new Map(),
        };
        this.steps.set(id, delta);
      }
      delta.attempts++;
      if (succeeded) {
        delta.successes++;
        tally(delta.durations, durationMs);
      } else {
        delta.failures++;
        if (timedOut) delta.timeouts++;
      }
    }
    const stats = this.statsDelta(procedureId, trail.version, stepId, event.at);
    const first = (event.attempt ?? 1) <= 1;
    stats.attempts++;
    if (first) stats.firstAttempts++;
    else {
      stats.retries++;
      const band = retryDelayBand(trail.retryDelays[stepId] ?? 0);
      stats.retriesByDelay[band] ??= { retries: 0, successes: 0 };
      const outcomes = stats.retriesByDelay[band];
      outcomes.retries++;
      if (succeeded) outcomes.successes++;
    }
    if (succeeded) {
      stats.successes++;
      if (!first) stats.retrySuccesses++;
      tally(stats.durations, durationMs);
      return;
    }
    stats.failures++;
    if (first) stats.firstFailures++;
    if (timedOut) stats.timeouts++;
    const code = typeof event.data?.code === 'string' ? event.data.code : 'UNKNOWN';
    stats.failureCodes[code] = (stats.failureCodes[code] ?? 0) + 1;
  }

  /** A completed run: how long it took from each step's start to the end is what an ETA is read from. */
  private addRemaining(event: HandoffEvent, trail: HandoffTrail, procedureId: string): void {
    for (const [stepId, startedAt] of Object.entries(trail.stepStarts))
      tally(this.statsDelta(procedureId, trail.version, stepId, event.at).remaining, event.at - startedAt);
  }

  private statsDelta(procedureId: string, version: number, stepId: string, at: number): StatsDelta {
    const id = insightIds.stats(procedureId, version, stepId);
    let delta = this.stats.get(id);
    if (!delta) {
      delta = {
        procedureId,
        version,
        stepId,
        attempts: 0,
        successes: 0,
        failures: 0,
        timeouts: 0,
        firstAttempts: 0,
        firstFailures: 0,
        retries: 0,
        retrySuccesses: 0,
        retriesByDelay: {},
        failureCodes: {},
        durations: new Map(),
        remaining: new Map(),
        updatedAt: at,
      };
      this.stats.set(id, delta);
    }
    delta.updatedAt = Math.max(delta.updatedAt, at);
    return delta;
  }

  private inc(at: number, scope: string, name: keyof SeriesCounts): void {
    for (const delta of this.seriesDeltas(at, scope)) delta.counts[name] = (delta.counts[name] ?? 0) + 1;
  }

  /** The minute and hour deltas of `scope` at `at`, their queue gauges brought up to date. */
  private seriesDeltas(at: number, scope: string): readonly SeriesDelta[] {
    const depth = this.depth[scope] ?? 0;
    // Events come in time order: the buckets of the event before are almost always this one's.
    let current = this.current.get(scope);
    if (!current || at < current.from || at >= current.until) {
      current = this.openBuckets(at, scope, depth);
      this.current.set(scope, current);
    }
    for (const delta of current.deltas) {
      if (depth > delta.depthMax) delta.depthMax = depth;
      delta.depthEnd = depth;
    }
    return current.deltas;
  }

  private openBuckets(at: number, scope: string, depth: number): CurrentBuckets {
    const deltas = BUCKET_SIZES.map((size) => {
      const start = bucketStart(at, size);
      const id = insightIds.series(size, start, scope);
      let delta = this.series.get(id);
      if (!delta) {
        delta = {
          size,
          start,
          scope,
          counts: {},
          durations: new Map(),
          waits: new Map(),
          depthMax: depth,
          depthEnd: depth,
        };
        this.series.set(id, delta);
      }
      return delta;
    });
    const from = bucketStart(at, 'MINUTE');
    return { from, until: from + BUCKET_MS.MINUTE, deltas };
  }

  get empty(): boolean {
    return this.series.size === 0 && this.steps.size === 0 && this.stats.size === 0;
  }
}

export function bucketStart(at: number, size: BucketSize): number {
  return Math.floor(at / BUCKET_MS[size]) * BUCKET_MS[size];
}

/**
 * What the insight module keeps: time series of what handoffs did (per minute and per hour), what
 * it learned per step (mergeable duration sketches and outcome counts), and the fold that writes
 * both from the committed event log (its cursor, lease and queue gauges). Sketches are opaque
 * strings here (HDR histograms, see duration-sketch.ts): the store keeps them, the engine reads them.
 */

/** The two stored bucket widths; wider ones (5 min, a day…) are merged from them when read. */
export const BUCKET_SIZES = ['MINUTE', 'HOUR'] as const;
export type BucketSize = (typeof BUCKET_SIZES)[number];

export const BUCKET_MS: Record<BucketSize, number> = { MINUTE: 60_000, HOUR: 3_600_000 };

/** The series of every production handoff together. */
export const ALL_PROCEDURES = '*';

/** What happened to handoffs in one bucket (production traffic: reliability tests are left out). */
export interface SeriesCounts {
  created: number;
  started: number;
  completed: number;
  failed: number;
  rolledBack: number;
  rollbackFailed: number;
  cancelled: number;
  redriven: number;
  /** Step attempts started, failed, and failed by timing out. */
  attempts: number;
  attemptFailures: number;
  timeouts: number;
  /** Handoffs that began waiting to start (created, redriven, resumed to PENDING) and that stopped waiting. */
  queued: number;
  dequeued: number;
}

export const SERIES_COUNT_NAMES = [
  'created',
  'started',
  'completed',
  'failed',
  'rolledBack',
  'rollbackFailed',
  'cancelled',
  'redriven',
  'attempts',
  'attemptFailures',
  'timeouts',
  'queued',
  'dequeued',
] as const satisfies readonly (keyof SeriesCounts)[];

/** One bucket of a series: every production handoff (`scope` ALL_PROCEDURES) or those of one procedure. */
export interface SeriesBucket {
  id: string;
  size: BucketSize;
  /** Epoch ms the bucket starts at (UTC minute or hour). */
  start: number;
  scope: string;
  counts: SeriesCounts;
  /** Runs that finished in the bucket: from HANDOFF_STARTED to their final event (a sketch). */
  durations: string | null;
  /** Handoffs that started in the bucket: how long they waited to (a sketch). */
  waits: string | null;
  /** Handoffs waiting to start: the most at once in the bucket, and how many at its end. */
  depthMax: number;
  depthEnd: number;
  /** The fold batch that wrote it last (a newer batch never loses to an older one). */
  batch: number;
}

/** One bucket of one step of one procedure version (every traffic, reliability tests included). */
export interface StepBucket {
  id: string;
  size: BucketSize;
  start: number;
  procedureId: string;
  version: number;
  stepId: string;
  attempts: number;
  successes: number;
  failures: number;
  timeouts: number;
  /** Successful attempts' durations (a sketch). */
  durations: string | null;
  batch: number;
}

/** Retries that went out after a back-off of about this long, and how many of them succeeded. */
export interface RetryOutcomes {
  retries: number;
  successes: number;
}

/** What a step of one procedure version did over its whole history (every traffic, reliability tests included). */
/** What the fold counts of one step of one procedure version: stored as StepStats, added up as a StatsDelta. */
export interface StepCounters {
  procedureId: string;
  version: number;
  stepId: string;
  /** Attempts that finished (succeeded or failed). */
  attempts: number;
  successes: number;
  failures: number;
  timeouts: number;
  /** First attempts that finished, and those that failed. */
  firstAttempts: number;
  firstFailures: number;
  /** Second and later attempts that finished, and those that succeeded. */
  retries: number;
  retrySuccesses: number;
  /** The same per back-off band before the retry (see retryDelayBand). */
  retriesByDelay: Record<string, RetryOutcomes>;
  /** Failures by code. */
  failureCodes: Record<string, number>;
}

export interface StepStats extends StepCounters {
  id: string;
  /** Successful attempts' durations (a sketch). */
  durations: string | null;
  /** Handoffs that completed: time from this step's first attempt to the end (a sketch): what ETAs come from. */
  remaining: string | null;
  /** When the fold last changed it (the time of the last event it folded in). */
  updatedAt: number;
  batch: number;
}

/** Everything one fold batch writes, and the cursor and gauges it leaves behind. */
export interface FoldCommit {
  /** One more than the last committed batch. */
  batch: number;
  /** The committed-event position after the batch's last event. */
  cursor: string;
  /** Handoffs waiting to start, per scope (ALL_PROCEDURES and each procedure). */
  depth: Record<string, number>;
  /** The time of the newest event folded so far. */
  foldedThrough: number;
  series: SeriesBucket[];
  steps: StepBucket[];
  stats: StepStats[];
}

/** Where the fold stands. */
export interface FoldState {
  /** The committed-event position folded up to; null before the first fold (it starts at the head then). */
  cursor: string | null;
  batch: number;
  depth: Record<string, number>;
  foldedThrough: number;
  leaseOwner: string | null;
  leaseExpiresAt: number;
}

export type FoldLease = { held: true; state: FoldState } | { held: false; holder: string | null };

export interface InsightStore {
  /**
   * Takes the fold's lease when it is free, expired, ours, or held by `takeOverFrom` (a holder known
   * to be gone), and returns the state. A commit a crashed holder left half-written is finished
   * first: whoever reads the state after this sees every bucket of every batch up to its cursor.
   */
  acquireFold(owner: string, now: number, leaseMs: number, takeOverFrom?: string | null): Promise<FoldLease>;
  /** Hands the lease back (its holder stops). */
  releaseFold(owner: string): Promise<void>;
  /**
   * Writes the batch's buckets and statistics and moves the cursor, as one: after a crash anywhere
   * in it, the next acquireFold finishes it, so no event is ever counted twice or lost. False (nothing
   * written) when `owner` no longer holds the lease or `commit.batch` is not the next batch.
   */
  commitFold(owner: string, commit: FoldCommit): Promise<boolean>;
  /** The fold's state without taking anything (null before the first fold). */
  foldState(): Promise<FoldState | null>;
  /** Stored series buckets of `scope` of one size whose start is in [from, before), oldest first. */
  series(size: BucketSize, scope: string, from: number, before: number): Promise<SeriesBucket[]>;
  /** The newest bucket of `scope` that starts before `before` (the gauges carried into a range), or null. */
  seriesBefore(size: BucketSize, scope: string, before: number): Promise<SeriesBucket | null>;
  /** Stored buckets of one step whose start is in [from, before), oldest first. */
  stepSeries(
    size: BucketSize,
    step: { procedureId: string; version: number; stepId: string },
    from: number,
    before: number,
  ): Promise<StepBucket[]>;
  /** Series and step buckets, and statistics, by id: what a fold batch merges into (absent ids are skipped). */
  seriesByIds(ids: readonly string[]): Promise<SeriesBucket[]>;
  stepsByIds(ids: readonly string[]): Promise<StepBucket[]>;
  statsByIds(ids: readonly string[]): Promise<StepStats[]>;
  /** The statistics of every step of a procedure (of one version, or of all). */
  stepStats(procedureId: string, version?: number): Promise<StepStats[]>;
  /** Deletes buckets of `size` that start before `before`; returns how many. Statistics stay. */
  pruneSeries(size: BucketSize, before: number): Promise<number>;
}

/** Ids of stored buckets and statistics (procedure and step ids hold no `|`). */
export const insightIds = {
  series: (size: BucketSize, start: number, scope: string) => `${size}|${start}|${scope}`,
  step: (size: BucketSize, start: number, procedureId: string, version: number, stepId: string) =>
    `${size}|${start}|${procedureId}|${version}|${stepId}`,
  stats: (procedureId: string, version: number, stepId: string) => `${procedureId}|${version}|${stepId}`,
};

import type { FoldDeltas } from './fold-deltas.js';
import { mergeSeries, mergeStats, mergeStep } from './fold-merge.js';
import type { FoldCommit, InsightStore, SeriesBucket, StepBucket, StepStats } from './insight-store.js';

/** Documents kept between commits: the buckets being filled now and the steps' statistics, far fewer than this. */
const MAX_CACHED = 10_000;

/**
 * The stored buckets and statistics a fold batch merges into, as its holder last wrote them: only the
 * lease holder writes them, so its own copies are the stored ones and need not be read again. Cleared
 * whenever the lease is taken (another holder may have written since).
 */
export class FoldedDocuments {
  private readonly series = new Map<string, SeriesBucket>();
  private readonly steps = new Map<string, StepBucket>();
  private readonly stats = new Map<string, StepStats>();

  constructor(private readonly store: InsightStore) {}

  async load(deltas: FoldDeltas): Promise<void> {
    await Promise.all([
      fill(this.series, [...deltas.series.keys()], (ids) => this.store.seriesByIds(ids)),
      fill(this.steps, [...deltas.steps.keys()], (ids) => this.store.stepsByIds(ids)),
      fill(this.stats, [...deltas.stats.keys()], (ids) => this.store.statsByIds(ids)),
    ]);
  }

  get(): { series: Map<string, SeriesBucket>; steps: Map<string, StepBucket>; stats: Map<string, StepStats> } {
    return { series: this.series, steps: this.steps, stats: this.stats };
  }

  /** Keeps what a commit stored as the documents' current state. */
  remember(commit: FoldCommit): void {
    if (this.series.size + this.steps.size + this.stats.size > MAX_CACHED) this.clear();
    for (const doc of commit.series) this.series.set(doc.id, doc);
    for (const doc of commit.steps) this.steps.set(doc.id, doc);
    for (const doc of commit.stats) this.stats.set(doc.id, doc);
  }

  clear(): void {
    this.series.clear();
    this.steps.clear();
    this.stats.clear();
  }
}

/** Reads the documents of `ids` not held yet; an id the store lacks is a new document. */
async function fill<T extends { id: string }>(
  held: Map<string, T>,
  ids: string[],
  read: (ids: string[]) => Promise<T[]>,
): Promise<void> {
  const missing = ids.filter((id) => !held.has(id));
  if (missing.length === 0) return;
  for (const doc of await read(missing)) held.set(doc.id, doc);
}

/** The commit of batch `batch`: every touched document as it must be stored, and where the fold stands after it. */
export async function buildCommit(
  documents: FoldedDocuments,
  deltas: FoldDeltas,
  batch: number,
  cursor: string,
): Promise<FoldCommit> {
  await documents.load(deltas);
  const { series, steps, stats } = documents.get();
  return {
    batch,
    cursor,
    depth: deltas.depth,
    foldedThrough: deltas.foldedThrough,
    series: [...deltas.series].map(([id, delta]) => mergeSeries(series.get(id), delta, batch)),
    steps: [...deltas.steps].map(([id, delta]) => mergeStep(steps.get(id), delta, batch)),
    stats: [...deltas.stats].map(([id, delta]) => mergeStats(stats.get(id), delta, batch)),
  };
}

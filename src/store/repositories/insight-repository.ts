import type {
  BucketSize,
  FoldCommit,
  FoldLease,
  FoldState,
  InsightStore,
  SeriesBucket,
  StepBucket,
  StepStats,
} from '../../engine/insight/insight-store.js';
import { type Collection, type Database, DuplicateKeyError, type Filter } from '../collection.js';

const FOLD_ID = 'fold';

/** The fold's state document: where it stands, who holds it, and the commit under way (if a holder died in one). */
type FoldDocument = Omit<FoldState, never> & { _id: string; pending: FoldCommit | null };

type Stored<T extends { id: string }> = Omit<T, 'id'> & { _id: string };

function toDocument<T extends { id: string }>(value: T): Stored<T> {
  const { id, ...rest } = value;
  return { _id: id, ...rest };
}

function fromDocument<T extends { id: string }>(doc: Stored<T>): T {
  const { _id, ...rest } = doc;
  return { id: _id, ...rest } as unknown as T;
}

function toState(doc: FoldDocument): FoldState {
  const { _id: _ignored, pending: _pending, ...state } = doc;
  return state;
}

/**
 * The insight store as documents, for every adapter (SQLite's collections and MongoDB). A fold commit
 * touches several documents and neither adapter offers multi-document transactions through the
 * Collection interface, so it is written ahead: (1) the whole commit is stored on the fold document
 * as `pending`, guarded by the lease and the batch number; (2) each bucket is written whole, unless a
 * newer batch wrote it; (3) the cursor moves and `pending` is cleared. A holder that dies after (1)
 * leaves the commit for the next acquireFold to finish from (2): every write is idempotent, so the
 * outcome is the same as if it had never stopped. Before (1) nothing happened; it folds the batch again.
 */
export class InsightRepository implements InsightStore {
  private constructor(
    private readonly fold: Collection<FoldDocument>,
    private readonly seriesBuckets: Collection<Stored<SeriesBucket>>,
    private readonly stepBuckets: Collection<Stored<StepBucket>>,
    private readonly statistics: Collection<Stored<StepStats>>,
  ) {}

  static async open(db: Database): Promise<InsightRepository> {
    return new InsightRepository(
      await db.collection<FoldDocument>('insight_fold'),
      await db.collection<Stored<SeriesBucket>>('insight_series', [
        { fields: ['size', 'scope', 'start'] },
        { fields: ['size', 'start'] },
      ]),
      await db.collection<Stored<StepBucket>>('insight_steps', [
        { fields: ['size', 'procedureId', 'version', 'stepId', 'start'] },
        { fields: ['size', 'start'] },
      ]),
      await db.collection<Stored<StepStats>>('insight_stats', [{ fields: ['procedureId', 'version'] }]),
    );
  }

  async acquireFold(owner: string, now: number, leaseMs: number, takeOverFrom?: string | null): Promise<FoldLease> {
    const holders: Filter[] = [{ leaseOwner: null }, { leaseExpiresAt: { $lt: now } }, { leaseOwner: owner }];
    if (takeOverFrom) holders.push({ leaseOwner: takeOverFrom });
    const taken = await this.fold.findOneAndUpdate(
      { _id: FOLD_ID, $or: holders },
      { $set: { leaseOwner: owner, leaseExpiresAt: now + leaseMs } },
    );
    if (taken) return { held: true, state: toState(taken.pending ? await this.finish(taken.pending) : taken) };
    const existing = await this.fold.findOne({ _id: FOLD_ID });
    if (existing) return { held: false, holder: existing.leaseOwner };
    try {
      const first: FoldDocument = {
        _id: FOLD_ID,
        cursor: null,
        batch: 0,
        depth: {},
        foldedThrough: 0,
        leaseOwner: owner,
        leaseExpiresAt: now + leaseMs,
        pending: null,
      };
      await this.fold.insertOne(first);
      return { held: true, state: toState(first) };
    } catch (error) {
      if (!(error instanceof DuplicateKeyError)) throw error;
      return { held: false, holder: (await this.fold.findOne({ _id: FOLD_ID }))?.leaseOwner ?? null };
    }
  }

  async releaseFold(owner: string): Promise<void> {
    await this.fold.findOneAndUpdate(
      { _id: FOLD_ID, leaseOwner: owner },
      { $set: { leaseOwner: null, leaseExpiresAt: 0 } },
    );
  }

  async commitFold(owner: string, commit: FoldCommit): Promise<boolean> {
    const begun = await this.fold.findOneAndUpdate(
      { _id: FOLD_ID, leaseOwner: owner, batch: commit.batch - 1, pending: null },
      { $set: { pending: commit } },
    );
    if (!begun) return false;
    await this.finish(commit);
    return true;
  }

  /** Steps (2) and (3) of a commit; returns the fold document after it. */
  private async finish(commit: FoldCommit): Promise<FoldDocument> {
    await Promise.all([
      ...commit.series.map((doc) => this.writeUnlessNewer(this.seriesBuckets, doc)),
      ...commit.steps.map((doc) => this.writeUnlessNewer(this.stepBuckets, doc)),
      ...commit.stats.map((doc) => this.writeUnlessNewer(this.statistics, doc)),
    ]);
    const done = await this.fold.findOneAndUpdate(
      { _id: FOLD_ID, batch: commit.batch - 1, 'pending.batch': commit.batch },
      {
        $set: {
          cursor: commit.cursor,
          batch: commit.batch,
          depth: commit.depth,
          foldedThrough: commit.foldedThrough,
          pending: null,
        },
      },
    );
    // Null: a concurrent finisher (the crashed holder's successor, or the holder itself) got there first.
    return done ?? (await this.fold.findOne({ _id: FOLD_ID }))!;
  }

  /** Writes a whole document as of batch `doc.batch`, unless a newer batch has written it (then it stays). */
  private async writeUnlessNewer<T extends { id: string; batch: number }>(
    collection: Collection<Stored<T>>,
    value: T,
  ): Promise<void> {
    const { _id, ...fields } = toDocument(value);
    try {
      await collection.findOneAndUpdate({ _id, batch: { $lt: value.batch } }, { $set: fields }, { upsert: true });
    } catch (error) {
      // The document exists with this batch or a newer one: what it holds already counts this batch.
      if (!(error instanceof DuplicateKeyError)) throw error;
    }
  }

  async foldState(): Promise<FoldState | null> {
    const doc = await this.fold.findOne({ _id: FOLD_ID });
    return doc ? toState(doc) : null;
  }

  async series(size: BucketSize, scope: string, from: number, before: number): Promise<SeriesBucket[]> {
    const docs = await this.seriesBuckets.find(
      { size, scope, start: { $gte: from, $lt: before } },
      { sort: { start: 1 } },
    );
    return docs.map(fromDocument<SeriesBucket>);
  }

  async seriesBefore(size: BucketSize, scope: string, before: number): Promise<SeriesBucket | null> {
    const [doc] = await this.seriesBuckets.find(
      { size, scope, start: { $lt: before } },
      { sort: { start: -1 }, limit: 1 },
    );
    return doc ? fromDocument<SeriesBucket>(doc) : null;
  }

  async stepSeries(
    size: BucketSize,
    step: { procedureId: string; version: number; stepId: string },
    from: number,
    before: number,
  ): Promise<StepBucket[]> {
    const docs = await this.stepBuckets.find(
      { size, ...step, start: { $gte: from, $lt: before } },
      { sort: { start: 1 } },
    );
    return docs.map(fromDocument<StepBucket>);
  }

  async seriesByIds(ids: readonly string[]): Promise<SeriesBucket[]> {
    return (await this.seriesBuckets.find({ _id: { $in: [...ids] } })).map(fromDocument<SeriesBucket>);
  }

  async stepsByIds(ids: readonly string[]): Promise<StepBucket[]> {
    return (await this.stepBuckets.find({ _id: { $in: [...ids] } })).map(fromDocument<StepBucket>);
  }

  async statsByIds(ids: readonly string[]): Promise<StepStats[]> {
    return (await this.statistics.find({ _id: { $in: [...ids] } })).map(fromDocument<StepStats>);
  }

  async stepStats(procedureId: string, version?: number): Promise<StepStats[]> {
    const filter: Filter = version === undefined ? { procedureId } : { procedureId, version };
    const docs = await this.statistics.find(filter, { sort: { version: 1, _id: 1 } });
    return docs.map(fromDocument<StepStats>);
  }

  async pruneSeries(size: BucketSize, before: number): Promise<number> {
    const filter = { size, start: { $lt: before } };
    const [series, steps] = await Promise.all([
      this.seriesBuckets.deleteMany(filter),
      this.stepBuckets.deleteMany(filter),
    ]);
    return series + steps;
  }
}

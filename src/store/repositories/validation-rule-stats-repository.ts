import type { Severity } from '../../engine/kernel/procedures/procedure.js';
import type { RuleResult } from '../../engine/validation/rule.js';
import type { RuleStats } from '../../engine/validation/rule-stats.js';
import { durationBucket, isEvaluated, RULE_DURATION_BOUNDS_MS } from '../../engine/validation/validation-stores.js';
import { type Collection, type Database, DuplicateKeyError } from '../collection.js';

/**
 * One (rule id, severity)'s running figures (see engine/validation/rule-stats.ts for why totals).
 * `_id` is `${severity}/${ruleId}` for results counted as they are stored, and
 * `earlier/${severity}/${ruleId}` for results stored before figures were kept (counted once, below).
 */
interface StatsDocument {
  _id: string;
  ruleId: string;
  severity: Severity;
  evaluated: number;
  /** Each count and bucket appears with its first increment. */
  passed?: number;
  failed?: number;
  errors?: number;
  /** Absent until an evaluation took longer than 0 ms. */
  maxDurationMs?: number;
  /** Evaluations per duration bucket, by bucketKey. */
  buckets?: Record<string, number>;
}

/** Marks the one-off count of earlier results as done. */
interface EarlierCountedDocument {
  _id: typeof EARLIER_COUNTED;
}

type Document = StatsDocument | EarlierCountedDocument;

const EARLIER_COUNTED = 'earlier-results-counted';
const EARLIER_PAGE = 1_000;

/** "le25": evaluations that took at most 25 ms (and more than the bound before); "over": more than the last bound. */
function bucketKey(index: number): string {
  const bound = RULE_DURATION_BOUNDS_MS[index];
  return bound === undefined ? 'over' : `le${bound}`;
}

/** The count an evaluated result adds to. */
function statusField(status: RuleResult['status']): 'passed' | 'failed' | 'errors' {
  return status === 'PASSED' ? 'passed' : status === 'FAILED' ? 'failed' : 'errors';
}

function toStats(doc: StatsDocument): RuleStats {
  return {
    ruleId: doc.ruleId,
    severity: doc.severity,
    evaluated: doc.evaluated,
    passed: doc.passed ?? 0,
    failed: doc.failed ?? 0,
    errors: doc.errors ?? 0,
    maxDurationMs: doc.maxDurationMs ?? 0,
    durationBuckets: Array.from(
      { length: RULE_DURATION_BOUNDS_MS.length + 1 },
      (_, index) => doc.buckets?.[bucketKey(index)] ?? 0,
    ),
  };
}

/** A result as stored in validation_results: what the one-off count of earlier results reads. */
export type StoredResult = Pick<RuleResult, 'ruleId' | 'severity' | 'status' | 'durationMs'> & {
  _id: string;
  counted?: true;
};

/**
 * Per-rule running figures: one increment per stored result, read whole by metrics. Results
 * stored by this code carry `counted: true`; those stored before (an older version, the nedb
 * import) are counted once when the store is first opened by this code.
 */
export class RuleStatsRepository {
  private constructor(private readonly docs: Collection<Document>) {}

  static async open(db: Database, results: Collection<StoredResult>): Promise<RuleStatsRepository> {
    const repository = new RuleStatsRepository(await db.collection<Document>('validation_rule_stats'));
    await repository.countEarlierResults(results);
    return repository;
  }

  /**
   * Adds one stored result. Two writes at most (the increment, and the maximum when it grew), after
   * the result's own: a crash in between leaves that result uncounted, it never counts one twice.
   */
  async add(result: RuleResult): Promise<void> {
    if (!isEvaluated(result)) return;
    const bucket = `buckets.${bucketKey(durationBucket(result.durationMs))}`;
    const updated = (await this.docs.findOneAndUpdate(
      { _id: `${result.severity}/${result.ruleId}`, ruleId: result.ruleId, severity: result.severity },
      { $inc: { evaluated: 1, [statusField(result.status)]: 1, [bucket]: 1 } },
      { upsert: true },
    )) as StatsDocument | null;
    await this.raiseMax(updated!, result.durationMs);
  }

  /** Compare-and-set: the maximum only grows, whoever writes at the same time. */
  private async raiseMax(doc: StatsDocument, durationMs: number): Promise<void> {
    if (durationMs <= (doc.maxDurationMs ?? 0)) return;
    await this.docs.findOneAndUpdate(
      { _id: doc._id, $or: [{ maxDurationMs: { $lt: durationMs } }, { maxDurationMs: { $exists: false } }] },
      { $set: { maxDurationMs: durationMs } },
    );
  }

  async all(): Promise<RuleStats[]> {
    const docs = await this.docs.find({});
    return docs.filter((doc): doc is StatsDocument => 'ruleId' in doc).map(toStats);
  }

  /**
   * Counts results stored without `counted` into `earlier/…` documents, once per store. Each
   * document is set whole (not incremented), so a count interrupted by a crash, or run by two
   * processes at once, gives the same figures when it runs again.
   */
  private async countEarlierResults(results: Collection<StoredResult>): Promise<void> {
    if (await this.docs.findOne({ _id: EARLIER_COUNTED })) return;
    const totals = new Map<string, Required<StatsDocument>>();
    let after = '';
    for (;;) {
      const page = await results.find(
        { _id: { $gt: after }, counted: { $exists: false } },
        { sort: { _id: 1 }, limit: EARLIER_PAGE },
      );
      for (const result of page) if (isEvaluated(result)) addTo(totals, result);
      if (page.length < EARLIER_PAGE) break;
      after = page[page.length - 1]!._id;
    }
    for (const { _id, ...fields } of totals.values())
      await this.docs.findOneAndUpdate({ _id }, { $set: fields }, { upsert: true });
    await this.docs.insertOne({ _id: EARLIER_COUNTED }).catch((error) => {
      if (!(error instanceof DuplicateKeyError)) throw error; // another process finished first
    });
  }
}

function addTo(totals: Map<string, Required<StatsDocument>>, result: StoredResult): void {
  const id = `earlier/${result.severity}/${result.ruleId}`;
  let doc = totals.get(id);
  if (!doc) {
    doc = {
      _id: id,
      ruleId: result.ruleId,
      severity: result.severity,
      evaluated: 0,
      passed: 0,
      failed: 0,
      errors: 0,
      maxDurationMs: 0,
      buckets: {},
    };
    totals.set(id, doc);
  }
  doc.evaluated++;
  doc[statusField(result.status)]++;
  doc.maxDurationMs = Math.max(doc.maxDurationMs, result.durationMs);
  const key = bucketKey(durationBucket(result.durationMs));
  doc.buckets[key] = (doc.buckets[key] ?? 0) + 1;
}

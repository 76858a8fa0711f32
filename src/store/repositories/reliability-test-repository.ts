import type { FinishedTest, ReliabilityTestStore, TestFilter } from '../../engine/reliability/reliability-stores.js';
import type {
  ReliabilityResult,
  ReliabilityTest,
  ReliabilityTestType,
  TestProgress,
} from '../../engine/reliability/reliability-test.js';
import type { Collection, Database, Filter } from '../collection.js';
import { findManyInOrder, keysetPage, type Page, type PageRequest } from '../pagination.js';

interface TestDocument extends Omit<ReliabilityTest, 'id' | 'result'> {
  _id: string;
  /** Progress sequence number of the stored progress (writes never go backwards). */
  seq: number;
  /** Last progress write: a RUNNING test not touched for long was left by a dead process. */
  updatedAt: number;
  /** Top-level copy of result.successRate, for metrics. */
  successRate: number | null;
  /** The result as JSON text (its windows can be long; nothing queries inside it). */
  result: string | null;
}

function toTest(doc: TestDocument): ReliabilityTest {
  const { _id, seq: _seq, updatedAt: _updatedAt, successRate: _rate, result, ...rest } = doc;
  return { id: _id, ...rest, result: result === null ? null : (JSON.parse(result) as ReliabilityResult) };
}

/** Reliability tests: parameters, live progress and, once finished, the result. */
export class ReliabilityTestRepository implements ReliabilityTestStore {
  private constructor(private readonly tests: Collection<TestDocument>) {}

  static async open(db: Database): Promise<ReliabilityTestRepository> {
    return new ReliabilityTestRepository(
      await db.collection<TestDocument>('reliability_tests', [
        { fields: ['createdAt'] },
        { fields: ['status'] },
        { fields: ['type'] },
      ]),
    );
  }

  async insert(test: ReliabilityTest, seq: number): Promise<void> {
    const { id, result, ...rest } = test;
    await this.tests.insertOne({
      _id: id,
      ...rest,
      seq,
      updatedAt: test.createdAt,
      successRate: result?.successRate ?? null,
      result: result === null ? null : JSON.stringify(result),
    });
  }

  async get(id: string): Promise<ReliabilityTest | null> {
    const doc = await this.tests.findOne({ _id: id });
    return doc ? toTest(doc) : null;
  }

  /** The stored progress sequence number of a test (0 when unknown). */
  async seqOf(id: string): Promise<number> {
    return (await this.tests.findOne({ _id: id }))?.seq ?? 0;
  }

  /** A test with its stored progress sequence number, from one read. */
  async getWithSeq(id: string): Promise<{ test: ReliabilityTest; seq: number } | null> {
    const doc = await this.tests.findOne({ _id: id });
    return doc ? { test: toTest(doc), seq: doc.seq ?? 0 } : null;
  }

  getMany(ids: readonly string[]): Promise<(ReliabilityTest | null)[]> {
    return findManyInOrder(this.tests, ids, toTest);
  }

  /** Stores newer progress of a RUNNING test (an older write arriving late changes nothing). */
  async updateProgress(id: string, progress: TestProgress, seq: number, now: number): Promise<boolean> {
    const updated = await this.tests.findOneAndUpdate(
      { _id: id, status: 'RUNNING', seq: { $lt: seq } },
      { $set: { progress, seq, updatedAt: now } },
    );
    return updated !== null;
  }

  /** RUNNING → a final status, once; null when it was already final. */
  async finish(id: string, finished: FinishedTest): Promise<ReliabilityTest | null> {
    const doc = await this.tests.findOneAndUpdate(
      { _id: id, status: 'RUNNING' },
      {
        $set: {
          status: finished.status,
          progress: finished.progress,
          seq: finished.seq,
          updatedAt: finished.finishedAt,
          finishedAt: finished.finishedAt,
          error: finished.error,
          cancelReason: finished.cancelReason,
          successRate: finished.result?.successRate ?? null,
          result: finished.result === null ? null : JSON.stringify(finished.result),
        },
      },
    );
    return doc ? toTest(doc) : null;
  }

  /** RUNNING tests whose last progress write is older than `staleBefore`. */
  async runningSince(staleBefore: number): Promise<ReliabilityTest[]> {
    return (await this.tests.find({ status: 'RUNNING', updatedAt: { $lt: staleBefore } })).map(toTest);
  }

  private filter(filter: TestFilter): Filter {
    const query: Filter = {};
    if (filter.statuses) query.status = { $in: filter.statuses };
    if (filter.types) query.type = { $in: filter.types };
    if (filter.configId) query.configId = filter.configId;
    return query;
  }

  /** Newest first. */
  page(filter: TestFilter, request: PageRequest): Promise<Page<ReliabilityTest>> {
    return keysetPage(this.tests, this.filter(filter), 'createdAt', request, toTest);
  }

  count(filter: TestFilter): Promise<number> {
    return this.tests.count(this.filter(filter));
  }

  /** Success rates of COMPLETED tests, with their type. */
  async completedRates(): Promise<{ type: ReliabilityTestType; successRate: number; iterations: number }[]> {
    const docs = await this.tests.find({ status: 'COMPLETED' });
    return docs.map((doc) => ({
      type: doc.type,
      successRate: doc.successRate ?? 0,
      iterations: doc.progress.completed,
    }));
  }
}

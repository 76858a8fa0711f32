import type { Page, PageRequest } from '../kernel/ports/page.js';
import type {
  ReliabilityResult,
  ReliabilityTest,
  ReliabilityTestConfig,
  ReliabilityTestStatus,
  ReliabilityTestType,
  TestProgress,
} from './reliability-test.js';

/** Reliability test configurations (the six standard ones and any added). */
export interface ReliabilityConfigStore {
  get(id: string): Promise<ReliabilityTestConfig | null>;
  getMany(ids: readonly string[]): Promise<(ReliabilityTestConfig | null)[]>;
  list(): Promise<ReliabilityTestConfig[]>;
  insert(config: ReliabilityTestConfig): Promise<void>;
  /** Inserts the configurations whose ids are not stored yet; returns how many it inserted. */
  insertMissing(configs: ReliabilityTestConfig[]): Promise<number>;
}

export interface TestFilter {
  statuses?: ReliabilityTestStatus[];
  types?: ReliabilityTestType[];
  configId?: string;
}

export interface FinishedTest {
  status: Exclude<ReliabilityTestStatus, 'RUNNING'>;
  progress: TestProgress;
  seq: number;
  result: ReliabilityResult | null;
  error: string | null;
  cancelReason: string | null;
  finishedAt: number;
}

/** Reliability tests: parameters, live progress and, once finished, the result. */
export interface ReliabilityTestStore {
  insert(test: ReliabilityTest, seq: number): Promise<void>;
  get(id: string): Promise<ReliabilityTest | null>;
  seqOf(id: string): Promise<number>;
  getWithSeq(id: string): Promise<{ test: ReliabilityTest; seq: number } | null>;
  getMany(ids: readonly string[]): Promise<(ReliabilityTest | null)[]>;
  /** Stores progress numbered `seq` unless newer progress is stored; false when it was not newer. */
  updateProgress(id: string, progress: TestProgress, seq: number, now: number): Promise<boolean>;
  /** Ends a RUNNING test; null when it had already ended. */
  finish(id: string, finished: FinishedTest): Promise<ReliabilityTest | null>;
  /** RUNNING tests whose last progress write is older than `staleBefore`. */
  runningSince(staleBefore: number): Promise<ReliabilityTest[]>;
  page(filter: TestFilter, request: PageRequest): Promise<Page<ReliabilityTest>>;
  count(filter: TestFilter): Promise<number>;
  completedRates(): Promise<{ type: ReliabilityTestType; successRate: number; iterations: number }[]>;
}

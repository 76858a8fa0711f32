/** Reliability tests: the engine exercising itself with real, test-tagged handoffs. */

export const RELIABILITY_TEST_TYPES = [
  'RELIABILITY',
  'PERFORMANCE',
  'STRESS',
  'FAILURE_INJECTION',
  'CONCURRENCY',
  'ENDURANCE',
] as const;
export type ReliabilityTestType = (typeof RELIABILITY_TEST_TYPES)[number];

export const RELIABILITY_TEST_STATUSES = ['RUNNING', 'COMPLETED', 'CANCELLED', 'FAILED'] as const;
export type ReliabilityTestStatus = (typeof RELIABILITY_TEST_STATUSES)[number];

export function isFinalTestStatus(status: ReliabilityTestStatus): boolean {
  return status !== 'RUNNING';
}

/** The knobs of a run; a configuration holds defaults, a start may override each. */
export interface TestParameters {
  iterations: number;
  /** An iteration (one handoff, initiate → final status) taking longer is cancelled and counted ITERATION_TIMEOUT. */
  timeoutMs: number;
  /** Iterations in flight at once (before the stress factor). */
  concurrentLimit: number;
  /** 0..1: probability that an attempt of a step gets a fault injected. */
  failureRate: number;
  /** Multiplies concurrentLimit (STRESS); 1 elsewhere by default. */
  stressFactor: number;
  /** Iterations started per second (ENDURANCE); null = as fast as the pool allows. */
  ratePerSec: number | null;
  /** Width of the latency windows reported for drift (ENDURANCE). */
  windowMs: number;
}

export interface ReliabilityTestConfig extends TestParameters {
  /** Plain id, e.g. RELIABILITY_STANDARD. */
  id: string;
  type: ReliabilityTestType;
  name: string;
  description: string;
  /** One of the six standard configurations seeded on first start. */
  builtIn: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface TestProgress {
  /** Iterations finished (any outcome). */
  completed: number;
  total: number;
  succeeded: number;
  failed: number;
  /** Iterations in flight. */
  running: number;
}

export interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export interface ErrorCount {
  code: string;
  count: number;
}

export const FAULT_KINDS = ['FAIL', 'SLOW', 'HANG'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultCount {
  kind: FaultKind;
  count: number;
}

/** Iterations started within one time window of the run (for drift). */
export interface WindowResult {
  index: number;
  /** Offset of the window's start from the test's start. */
  startMs: number;
  iterations: number;
  succeeded: number;
  failed: number;
  latencyMs: LatencySummary | null;
}

export interface ReliabilityResult {
  /** Iterations that ran to an outcome (succeeded + failed + cancelled). */
  iterations: number;
  succeeded: number;
  failed: number;
  /** Stopped by cancelReliabilityTest; neither success nor failure. */
  cancelled: number;
  /** Handoffs that ended ROLLED_BACK. */
  rolledBack: number;
  /** Iterations in which at least one compensation ran. */
  rollbacksNeeded: number;
  /** Of those, the ones whose every compensation succeeded. */
  rollbacksClean: number;
  /** succeeded ÷ (succeeded + failed); 0 when none finished. */
  successRate: number;
  /** rollbacksClean ÷ rollbacksNeeded; null when no rollback was needed. */
  rollbackSuccessRate: number | null;
  /** Step attempts beyond the first, summed over iterations. */
  retries: number;
  throughputPerSec: number;
  durationMs: number;
  /** Iterations allowed in flight at once (concurrentLimit × stressFactor). */
  concurrency: number;
  /** Initiate → final status of each finished iteration (all outcomes). */
  latencyMs: LatencySummary | null;
  errors: ErrorCount[];
  faults: FaultCount[];
  windows: WindowResult[];
  /** Last window's p50 ÷ first window's p50 (ENDURANCE); null with fewer than two windows. */
  p50DriftRatio: number | null;
}

export interface ReliabilityTest {
  /** Plain id, also the testId that tags its handoffs. */
  id: string;
  configId: string;
  type: ReliabilityTestType;
  procedureId: string;
  procedureVersion: number;
  parameters: TestParameters;
  seed: number;
  status: ReliabilityTestStatus;
  progress: TestProgress;
  result: ReliabilityResult | null;
  /** Why it FAILED (harness trouble), if it did. */
  error: string | null;
  cancelReason: string | null;
  createdAt: number;
  finishedAt: number | null;
}

/** One step of a test's progress, as reliabilityTestProgress streams it. */
export interface ReliabilityProgressEvent extends TestProgress {
  testId: string;
  /** 1, 2, 3… per test; the replayed state carries the latest. */
  seq: number;
  status: ReliabilityTestStatus;
  at: number;
}

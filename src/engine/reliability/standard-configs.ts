import type { ReliabilityTestConfig, ReliabilityTestType, TestParameters } from './reliability-test.js';

type Standard = Pick<ReliabilityTestConfig, 'id' | 'type' | 'name' | 'description'> &
  Pick<TestParameters, 'iterations' | 'timeoutMs' | 'concurrentLimit'> &
  Partial<TestParameters>;

const DEFAULTS: Pick<TestParameters, 'failureRate' | 'stressFactor' | 'ratePerSec' | 'windowMs'> = {
  failureRate: 0,
  stressFactor: 1,
  ratePerSec: null,
  windowMs: 10_000,
};

/** The seed report's six test configurations, with its numbers. */
const STANDARDS: Standard[] = [
  {
    id: 'RELIABILITY_STANDARD',
    type: 'RELIABILITY',
    name: 'Reliability',
    description: 'Many clean handoffs through a bounded pool: every one should complete (success rate 1).',
    iterations: 100,
    timeoutMs: 30_000,
    concurrentLimit: 5,
  },
  {
    id: 'PERFORMANCE_STANDARD',
    type: 'PERFORMANCE',
    name: 'Performance',
    description: 'Clean handoffs at moderate concurrency; read the latency percentiles and throughput.',
    iterations: 50,
    timeoutMs: 60_000,
    concurrentLimit: 10,
  },
  {
    id: 'STRESS_STANDARD',
    type: 'STRESS',
    name: 'Stress',
    description: 'Concurrency multiplied by the stress factor: how latency and success hold under load.',
    iterations: 25,
    timeoutMs: 120_000,
    concurrentLimit: 20,
    stressFactor: 2,
  },
  {
    id: 'FAILURE_INJECTION_STANDARD',
    type: 'FAILURE_INJECTION',
    name: 'Failure injection',
    description: 'Step attempts fail, hang or slow down with the failure rate, so retries and rollbacks really run.',
    iterations: 75,
    timeoutMs: 45_000,
    concurrentLimit: 5,
    failureRate: 0.1,
  },
  {
    id: 'CONCURRENCY_STANDARD',
    type: 'CONCURRENCY',
    name: 'Concurrency',
    description: 'Iterations released in bursts of the full limit at once: contention on the same store and runner.',
    iterations: 30,
    timeoutMs: 90_000,
    concurrentLimit: 50,
  },
  {
    id: 'ENDURANCE_STANDARD',
    type: 'ENDURANCE',
    name: 'Endurance',
    description: 'A steady rate for a long run; latency is reported per time window so drift shows.',
    iterations: 200,
    timeoutMs: 180_000,
    concurrentLimit: 3,
    ratePerSec: 5,
  },
];

export function standardConfigs(now: number): ReliabilityTestConfig[] {
  return STANDARDS.map((standard) => ({ ...DEFAULTS, ...standard, builtIn: true, createdAt: now, updatedAt: now }));
}

/** Parameter defaults for a configuration created without them. */
export function defaultParameters(
  type: ReliabilityTestType,
): Pick<TestParameters, 'failureRate' | 'stressFactor' | 'ratePerSec' | 'windowMs'> {
  return { ...DEFAULTS, ratePerSec: type === 'ENDURANCE' ? 5 : null, stressFactor: type === 'STRESS' ? 2 : 1 };
}

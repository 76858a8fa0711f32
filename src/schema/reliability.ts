import type { ReliabilityMetrics } from '../engine/reliability/reliability-service.js';
import {
  type ErrorCount,
  FAULT_KINDS,
  type FaultCount,
  type FaultKind,
  type LatencySummary,
  RELIABILITY_TEST_STATUSES,
  RELIABILITY_TEST_TYPES,
  type ReliabilityProgressEvent,
  type ReliabilityResult,
  type ReliabilityTest,
  type ReliabilityTestConfig,
  type ReliabilityTestStatus,
  type ReliabilityTestType,
  type TestParameters,
  type TestProgress,
  type WindowResult,
} from '../engine/reliability/reliability-test.js';
import { builder } from './builder.js';
import { connectionType } from './connection.js';
import { enumValues } from './enum-values.js';
import type { LoadNodes } from './load-nodes.js';
import { payloadType } from './user-error.js';

export const ReliabilityTestTypeEnum = builder.enumType('ReliabilityTestType', {
  description:
    'What a reliability test exercises. Every type runs real, test-tagged handoffs; they differ in how iterations are released.',
  values: enumValues<ReliabilityTestType>(RELIABILITY_TEST_TYPES, {
    RELIABILITY: 'Clean handoffs through a bounded pool (concurrentLimit in flight): the success rate should be 1.',
    PERFORMANCE: 'Clean handoffs through a bounded pool; read latency percentiles and throughput.',
    STRESS: 'A pool of concurrentLimit × stressFactor in flight.',
    FAILURE_INJECTION:
      'Faults injected into step attempts with failureRate (fail, slow, or hang until the step timeout), so retries and rollbacks run.',
    CONCURRENCY:
      'Iterations released in waves of the full concurrentLimit at the same instant; the next wave starts when the last one ended.',
    ENDURANCE:
      'A steady ratePerSec (at most concurrentLimit in flight); latency is reported per window of windowMs so drift shows.',
  }),
});

export const ReliabilityTestStatusEnum = builder.enumType('ReliabilityTestStatus', {
  description: 'Where a reliability test is.',
  values: enumValues<ReliabilityTestStatus>(RELIABILITY_TEST_STATUSES, {
    RUNNING: 'Iterations are being released; follow them with reliabilityTestProgress.',
    COMPLETED: 'Every iteration ran; the result is final.',
    CANCELLED:
      'cancelReliabilityTest stopped it: no new iterations, running ones cancelled. The result covers the iterations that ran.',
    FAILED: 'The harness itself failed, or the server stopped while it ran (see error).',
  }),
});

export const FaultKindEnum = builder.enumType('ReliabilityFaultKind', {
  description: 'A fault injected before a step attempt.',
  values: enumValues<FaultKind>(FAULT_KINDS, {
    FAIL: 'The attempt fails at once.',
    SLOW: 'The attempt is delayed (20–200 ms, never past half the step timeout), then runs normally.',
    HANG: 'The attempt hangs until the step timeout fires. Only on steps with a timeout of at most 5 s; elsewhere a FAIL is injected instead.',
  }),
});

const parameterFields = {
  iterations: 'Handoffs to run.',
  timeoutMs: 'An iteration (initiate → final status) taking longer is cancelled and counted as ITERATION_TIMEOUT.',
  concurrentLimit: 'Iterations in flight at once (before the stress factor).',
} as const;

export const ReliabilityTestConfigRef = builder.objectRef<ReliabilityTestConfig>('ReliabilityTestConfig').implement({
  description:
    'A named set of test parameters: the six standard ones (seeded on first start) and any created with createReliabilityTestConfig.',
  fields: (t) => ({
    id: t.exposeString('id', {
      description: 'The plain id, e.g. RELIABILITY_STANDARD, as startReliabilityTest takes it.',
    }),
    type: t.field({ type: ReliabilityTestTypeEnum, description: 'What the test exercises.', resolve: (c) => c.type }),
    name: t.exposeString('name', { description: 'Human-readable name.' }),
    description: t.exposeString('description', { description: 'What the configuration is for.' }),
    iterations: t.exposeInt('iterations', { description: parameterFields.iterations }),
    timeoutMs: t.exposeInt('timeoutMs', { description: parameterFields.timeoutMs }),
    concurrentLimit: t.exposeInt('concurrentLimit', { description: parameterFields.concurrentLimit }),
    failureRate: t.exposeFloat('failureRate', {
      description: 'Probability (0–1) that a step attempt gets a fault injected.',
    }),
    stressFactor: t.exposeFloat('stressFactor', { description: 'Multiplies concurrentLimit.' }),
    ratePerSec: t.exposeFloat('ratePerSec', {
      nullable: true,
      description: 'Iterations started per second; null = as fast as the pool allows.',
    }),
    windowMs: t.exposeInt('windowMs', { description: 'Width of the latency windows in the result.' }),
    builtIn: t.exposeBoolean('builtIn', { description: 'True for the six standard configurations.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was stored.' }),
  }),
});

export const TestParametersRef = builder.objectRef<TestParameters>('ReliabilityTestParameters').implement({
  description: "The parameters a test ran with: its configuration's, with the start's overrides applied.",
  fields: (t) => ({
    iterations: t.exposeInt('iterations', { description: parameterFields.iterations }),
    timeoutMs: t.exposeInt('timeoutMs', { description: parameterFields.timeoutMs }),
    concurrentLimit: t.exposeInt('concurrentLimit', { description: parameterFields.concurrentLimit }),
    failureRate: t.exposeFloat('failureRate', {
      description: 'Probability (0–1) that a step attempt gets a fault injected.',
    }),
    stressFactor: t.exposeFloat('stressFactor', { description: 'Multiplies concurrentLimit.' }),
    ratePerSec: t.exposeFloat('ratePerSec', {
      nullable: true,
      description: 'Iterations started per second; null = as fast as the pool allows.',
    }),
    windowMs: t.exposeInt('windowMs', { description: 'Width of the latency windows.' }),
  }),
});

export const TestProgressRef = builder.objectRef<TestProgress>('ReliabilityTestProgress').implement({
  description: 'How far a test is.',
  fields: (t) => ({
    completed: t.exposeInt('completed', { description: 'Iterations finished, whatever the outcome.' }),
    total: t.exposeInt('total', { description: 'Iterations planned.' }),
    succeeded: t.exposeInt('succeeded', { description: 'Iterations whose handoff COMPLETED within the timeout.' }),
    failed: t.exposeInt('failed', { description: 'Iterations that failed (including ITERATION_TIMEOUT).' }),
    running: t.exposeInt('running', { description: 'Iterations in flight.' }),
  }),
});

export const LatencySummaryRef = builder.objectRef<LatencySummary>('LatencyPercentiles').implement({
  description: 'Latency percentiles in milliseconds (HDR histogram, 3 significant digits).',
  fields: (t) => ({
    p50: t.exposeInt('p50', { description: 'Median.' }),
    p95: t.exposeInt('p95', { description: '95th percentile.' }),
    p99: t.exposeInt('p99', { description: '99th percentile.' }),
    max: t.exposeInt('max', { description: 'Slowest.' }),
    mean: t.exposeFloat('mean', { description: 'Mean.' }),
  }),
});

const ErrorCountRef = builder.objectRef<ErrorCount>('ReliabilityErrorCount').implement({
  description:
    'Failed iterations by cause: GATES_FAILED, STEP_FAILED, STEP_TIMEOUT (the last failed attempt timed out), ITERATION_TIMEOUT, ROLLBACK_FAILED (counted in addition to the cause), INITIATE_FAILED, HARNESS_ERROR.',
  fields: (t) => ({
    code: t.exposeString('code', { description: 'The cause.' }),
    count: t.exposeInt('count', { description: 'Iterations with this cause.' }),
  }),
});

const FaultCountRef = builder.objectRef<FaultCount>('ReliabilityFaultCount').implement({
  description: 'Faults injected, by kind.',
  fields: (t) => ({
    kind: t.field({ type: FaultKindEnum, description: 'The kind.', resolve: (f) => f.kind }),
    count: t.exposeInt('count', { description: 'Attempts that got this fault.' }),
  }),
});

const WindowRef = builder.objectRef<WindowResult>('ReliabilityWindow').implement({
  description: 'The iterations started within one time window of the run: compare windows to see drift.',
  fields: (t) => ({
    index: t.exposeInt('index', { description: '0, 1, 2… from the start of the test.' }),
    startMs: t.exposeInt('startMs', { description: 'Offset of the window from the start of the test.' }),
    iterations: t.exposeInt('iterations', { description: 'Iterations started in the window.' }),
    succeeded: t.exposeInt('succeeded', { description: 'Of those, the ones that succeeded.' }),
    failed: t.exposeInt('failed', { description: 'Of those, the ones that failed.' }),
    latencyMs: t.field({
      type: LatencySummaryRef,
      nullable: true,
      description: 'Their latency; null when none finished.',
      resolve: (w) => w.latencyMs,
    }),
  }),
});

export const ReliabilityResultRef = builder.objectRef<ReliabilityResult>('ReliabilityTestResult').implement({
  description: 'What a test measured. Latency is initiate → final status of each finished iteration.',
  fields: (t) => ({
    iterations: t.exposeInt('iterations', { description: 'Iterations that ran: succeeded + failed + cancelled.' }),
    succeeded: t.exposeInt('succeeded', { description: 'Handoffs that COMPLETED within the iteration timeout.' }),
    failed: t.exposeInt('failed', { description: 'Handoffs that did not (failed, rolled back, timed out).' }),
    cancelled: t.exposeInt('cancelled', {
      description: 'Iterations stopped by cancelReliabilityTest (neither success nor failure).',
    }),
    rolledBack: t.exposeInt('rolledBack', { description: 'Handoffs that ended ROLLED_BACK.' }),
    rollbacksNeeded: t.exposeInt('rollbacksNeeded', {
      description: 'Iterations in which at least one compensation ran.',
    }),
    rollbacksClean: t.exposeInt('rollbacksClean', {
      description: 'Of those, the ones whose every compensation succeeded.',
    }),
    successRate: t.exposeFloat('successRate', {
      description: 'succeeded ÷ (succeeded + failed); 0 when none finished.',
    }),
    rollbackSuccessRate: t.exposeFloat('rollbackSuccessRate', {
      nullable: true,
      description:
        'rollbacksClean ÷ rollbacksNeeded: rollbacks that undid everything cleanly. Null when no rollback was needed.',
    }),
    retries: t.exposeInt('retries', { description: 'Step attempts beyond the first, summed over all iterations.' }),
    throughputPerSec: t.exposeFloat('throughputPerSec', {
      description: 'Finished iterations per second of wall time.',
    }),
    durationMs: t.exposeInt('durationMs', { description: 'Wall time of the run.' }),
    concurrency: t.exposeInt('concurrency', {
      description: 'Iterations allowed in flight (concurrentLimit × stressFactor).',
    }),
    latencyMs: t.field({
      type: LatencySummaryRef,
      nullable: true,
      description: 'Latency of finished iterations; null when none finished.',
      resolve: (r) => r.latencyMs,
    }),
    errors: t.field({
      type: [ErrorCountRef],
      description: 'Failures by cause, most frequent first.',
      resolve: (r) => r.errors,
    }),
    faults: t.field({ type: [FaultCountRef], description: 'Faults injected, by kind.', resolve: (r) => r.faults }),
    windows: t.field({
      type: [WindowRef],
      description: 'Per-window series (by iteration start time), for drift.',
      resolve: (r) => r.windows,
    }),
    p50DriftRatio: t.exposeFloat('p50DriftRatio', {
      nullable: true,
      description:
        "Last window's median latency ÷ the first's (> 1: got slower). Null with fewer than two measured windows.",
    }),
  }),
});

export const ReliabilityTestRef = builder.objectRef<ReliabilityTest>('ReliabilityTest');

/** Declares ReliabilityTest a node (fetchable by global id); the resolvers layer supplies how reliability tests are loaded. */
export function implementReliabilityTestNode(loadMany: LoadNodes<ReliabilityTest>) {
  builder.node(ReliabilityTestRef, {
    description:
      'One run of a reliability test: real handoffs through the engine, tagged with the test id (list them with handoffs(filter: { testId })), left out of production metrics.',
    id: { resolve: (test) => test.id, description: 'Global id. `reliabilityTest(id:)` also accepts the plain testId.' },
    loadMany,
    isTypeOf: (value) => typeof value === 'object' && value !== null && 'configId' in value && 'parameters' in value,
  });
}

builder.objectFields(ReliabilityTestRef, (t) => ({
  testId: t.exposeString('id', { description: 'The plain id; its handoffs carry it as their testId.' }),
  configId: t.exposeString('configId', { description: 'The configuration it started from.' }),
  type: t.field({ type: ReliabilityTestTypeEnum, description: 'What it exercises.', resolve: (test) => test.type }),
  procedureId: t.exposeString('procedureId', { description: 'The procedure every iteration runs.' }),
  procedureVersion: t.exposeInt('procedureVersion', { description: 'The procedure version at the start.' }),
  parameters: t.field({
    type: TestParametersRef,
    description: 'The parameters it ran with.',
    resolve: (test) => test.parameters,
  }),
  seed: t.exposeInt('seed', {
    description: 'Seed of the fault injection: the same seed injects the same faults into the same iterations.',
  }),
  status: t.field({
    type: ReliabilityTestStatusEnum,
    description: 'Where the test is.',
    resolve: (test) => test.status,
  }),
  progress: t.field({
    type: TestProgressRef,
    description: 'How far it is (stored as it runs).',
    resolve: (test) => test.progress,
  }),
  result: t.field({
    type: ReliabilityResultRef,
    nullable: true,
    description: 'What it measured; null while RUNNING.',
    resolve: (test) => test.result,
  }),
  error: t.exposeString('error', { nullable: true, description: 'Why it FAILED.' }),
  cancelReason: t.exposeString('cancelReason', {
    nullable: true,
    description: 'The reason given when it was cancelled.',
  }),
  createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it started.' }),
  finishedAt: t.expose('finishedAt', {
    type: 'DateTime',
    nullable: true,
    description: 'When it reached a final status.',
  }),
}));

export const ReliabilityProgressEventRef = builder
  .objectRef<ReliabilityProgressEvent>('ReliabilityProgressEvent')
  .implement({
    description: "A test's progress after an iteration finished (or its state when the subscription began).",
    fields: (t) => ({
      testId: t.exposeString('testId', { description: 'The plain test id.' }),
      seq: t.exposeInt('seq', { description: 'Increases with every change; the first event carries the current one.' }),
      completed: t.exposeInt('completed', { description: 'Iterations finished.' }),
      total: t.exposeInt('total', { description: 'Iterations planned.' }),
      succeeded: t.exposeInt('succeeded', { description: 'Iterations that succeeded.' }),
      failed: t.exposeInt('failed', { description: 'Iterations that failed.' }),
      running: t.exposeInt('running', { description: 'Iterations in flight.' }),
      status: t.field({
        type: ReliabilityTestStatusEnum,
        description: 'The test status; a final one ends the stream.',
        resolve: (e) => e.status,
      }),
      at: t.expose('at', { type: 'DateTime', description: 'When it happened.' }),
    }),
  });

export const ReliabilityTestOverridesInput = builder.inputType('ReliabilityTestOverrides', {
  description: "Replaces the configuration's parameters for this run only (e.g. fewer iterations).",
  fields: (t) => ({
    iterations: t.int({ required: false, description: 'Handoffs to run (1–100000).' }),
    timeoutMs: t.int({ required: false, description: 'Iteration timeout in ms (100–3600000).' }),
    concurrentLimit: t.int({ required: false, description: 'Iterations in flight (1–1000).' }),
    failureRate: t.float({ required: false, description: 'Probability (0–1) that a step attempt gets a fault.' }),
    stressFactor: t.float({ required: false, description: 'Multiplies concurrentLimit (1–100).' }),
    ratePerSec: t.float({ required: false, description: 'Iterations started per second (> 0).' }),
    windowMs: t.int({ required: false, description: 'Latency window width in ms (100–3600000).' }),
  }),
});

export const StartReliabilityTestInput = builder.inputType('StartReliabilityTestInput', {
  description: 'Which configuration to run, against which procedure.',
  fields: (t) => ({
    configId: t.id({ required: true, description: 'A configuration id, e.g. RELIABILITY_STANDARD.' }),
    procedureId: t.id({
      required: false,
      description:
        'The procedure each iteration runs (plain or global id; default PHASE_TRANSITION_STANDARD). AWAIT_SIGNAL steps are not supported.',
    }),
    overrides: t.field({
      type: ReliabilityTestOverridesInput,
      required: false,
      description: 'Parameters for this run only.',
    }),
    seed: t.int({ required: false, description: 'Seed of the fault injection (0–2147483647); random when omitted.' }),
  }),
});

export const CreateReliabilityTestConfigInput = builder.inputType('CreateReliabilityTestConfigInput', {
  description: 'A new configuration.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'Plain id (1–64 letters, digits or _ . : -), unique.' }),
    type: t.field({ type: ReliabilityTestTypeEnum, required: true, description: 'What it exercises.' }),
    name: t.string({ required: false, description: 'Human-readable name (default: the id).' }),
    description: t.string({ required: false, description: 'What it is for.' }),
    iterations: t.int({ required: true, description: 'Handoffs to run (1–100000).' }),
    timeoutMs: t.int({ required: true, description: 'Iteration timeout in ms (100–3600000).' }),
    concurrentLimit: t.int({ required: true, description: 'Iterations in flight (1–1000).' }),
    failureRate: t.float({
      required: false,
      description: 'Probability (0–1) that a step attempt gets a fault (default 0).',
    }),
    stressFactor: t.float({
      required: false,
      description: 'Multiplies concurrentLimit, 1–100 (default 2 for STRESS, else 1).',
    }),
    ratePerSec: t.float({
      required: false,
      description: 'Iterations started per second (default 5 for ENDURANCE, else as fast as the pool allows).',
    }),
    windowMs: t.int({ required: false, description: 'Latency window width in ms (default 10000).' }),
  }),
});

export const CancelReliabilityTestInput = builder.inputType('CancelReliabilityTestInput', {
  description: 'Which test to cancel.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'Plain or global test id.' }),
    reason: t.string({ required: false, description: 'Kept on the test and its cancelled handoffs.' }),
  }),
});

export const ReliabilityTestFilterInput = builder.inputType('ReliabilityTestFilter', {
  description: 'Narrows the test list; all given conditions must hold.',
  fields: (t) => ({
    status: t.field({ type: [ReliabilityTestStatusEnum], required: false, description: 'Only these statuses.' }),
    type: t.field({ type: [ReliabilityTestTypeEnum], required: false, description: 'Only these types.' }),
    configId: t.id({ required: false, description: 'Only tests of this configuration.' }),
  }),
});

const TypeMetricsRef = builder.objectRef<ReliabilityMetrics['byType'][number]>('ReliabilityTypeMetrics').implement({
  description: 'Completed tests of one type.',
  fields: (t) => ({
    type: t.field({ type: ReliabilityTestTypeEnum, description: 'The type.', resolve: (m) => m.type }),
    completed: t.exposeInt('completed', { description: 'COMPLETED tests of this type.' }),
    averageSuccessRate: t.exposeFloat('averageSuccessRate', {
      description: 'Mean success rate of those; 0 when none.',
    }),
  }),
});

export const ReliabilityMetricsRef = builder.objectRef<ReliabilityMetrics>('ReliabilityMetrics').implement({
  description: 'Reliability tests and how they went.',
  fields: (t) => ({
    tests: t.exposeInt('tests', { description: 'Tests started.' }),
    running: t.exposeInt('running', { description: 'Tests RUNNING.' }),
    completed: t.exposeInt('completed', { description: 'Tests COMPLETED.' }),
    cancelled: t.exposeInt('cancelled', { description: 'Tests CANCELLED.' }),
    failed: t.exposeInt('failed', { description: 'Tests FAILED (harness trouble or interrupted).' }),
    averageSuccessRate: t.exposeFloat('averageSuccessRate', {
      description: 'Mean success rate of COMPLETED tests; 0 when none.',
    }),
    iterations: t.exposeInt('iterations', { description: 'Iterations run by COMPLETED tests.' }),
    byType: t.field({ type: [TypeMetricsRef], description: 'Per test type.', resolve: (m) => m.byType }),
  }),
});

export const ReliabilityTestConnection = connectionType(
  ReliabilityTestRef,
  'ReliabilityTest',
  'reliability tests',
  'A test in the list, with its cursor.',
);

export const ConfigPayload = payloadType<ReliabilityTestConfig>(
  'ReliabilityTestConfig',
  'config',
  ReliabilityTestConfigRef,
  'The configuration created, or userErrors.',
);
export const TestPayload = payloadType<ReliabilityTest>(
  'ReliabilityTest',
  'test',
  ReliabilityTestRef,
  'The test started or cancelled, or userErrors.',
);

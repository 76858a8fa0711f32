/**
 * 6. Peer reference: BullMQ on a Redis of our own (append-only file fsynced every second, like a
 * durable deployment) running the engine benchmark's four no-op steps two ways:
 *  - chain:  a FlowProducer flow of four jobs, each step the parent of the one before, so step 2
 *            runs only after step 1 completed (the structural twin of a four-step handoff);
 *  - single: one job per handoff whose processor runs the four steps, reporting progress after each.
 * As the engine part initiates handoffs, a whole batch is added at once, one call per flow or job,
 * and timed until its last completion event; completed jobs stay in Redis as handoffs stay stored.
 * Each round runs the chain, the engine API on its file store, the single job, then `initiateHandoff`
 * over HTTP, one after another: a round's ratios are taken at one moment of the machine, whose speed
 * moves by more than the ratios' margins between parts of a run. Skipped, not failed, without
 * redis-server or ioredis.
 */
import { createRequire } from 'node:module';
import { type FlowJob, FlowProducer, type Job, Queue, Worker } from 'bullmq';
import { log, median, QUICK, type Row, RUNS, report, round } from '../support/common.js';
import { engineApiRun, FILE_STORE, overHttpRun } from '../support/engine-runs.js';
import { BULLMQ_CHAIN, BULLMQ_SINGLE_JOB, type PeerRounds, peerRatios } from '../support/peer-ratios.js';
import { findRedisServer, startRedisServer } from '../support/redis-server.js';

const STEPS = 4;
// About 1.5–2 s per measured batch (chain ~2,000 flows/s, single ~8,500 jobs/s on 2 cores), so that
// a brief stall of the VM does not decide a run.
const FLOWS = QUICK ? 300 : 3_000;
const JOBS = QUICK ? 1_000 : 15_000;
const WARMUP = QUICK ? 100 : 500;
const CONCURRENCY = 100;

interface Connection {
  host: string;
  port: number;
}

/** Why the part cannot run here, or undefined when it can. */
function skipReason(): string | undefined {
  if (!findRedisServer()) return 'skipped: redis-server not installed (apt-get install redis-server)';
  try {
    // bullmq 6 loads ioredis, now an optional peer dependency, with require().
    createRequire(import.meta.url).resolve('ioredis');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw error;
    return 'skipped: ioredis not installed (npm install --save-dev ioredis)';
  }
  return undefined;
}

/** Adds a batch and resolves with the milliseconds until `count` completed jobs passed `counts`. */
async function timeBatch(
  worker: Worker,
  count: number,
  counts: (job: Job) => boolean,
  add: () => Promise<unknown>,
): Promise<number> {
  let seen = 0;
  let onCompleted: (job: Job) => void = () => undefined;
  let onFailed: (job: Job | undefined, error: Error) => void = () => undefined;
  const done = new Promise<void>((resolve, reject) => {
    onCompleted = (job) => {
      if (counts(job) && ++seen === count) resolve();
    };
    onFailed = (job, error) => reject(new Error(`BullMQ job ${job?.name} ${job?.id} failed: ${error.message}`));
    worker.on('completed', onCompleted);
    worker.on('failed', onFailed);
  });
  const started = performance.now();
  try {
    await add();
    await done;
    return performance.now() - started;
  } finally {
    worker.off('completed', onCompleted);
    worker.off('failed', onFailed);
  }
}

/** Step 1 is the innermost child, step 4 the root: BullMQ runs a parent once its children completed. */
function chainFlow(queueName: string): FlowJob {
  let flow: FlowJob = { name: 'step 1', queueName };
  for (let step = 2; step <= STEPS; step++) flow = { name: `step ${step}`, queueName, children: [flow] };
  return flow;
}

/** Flows/s, a flow counted when its last step completed. */
async function chainRun(connection: Connection, run: number): Promise<number> {
  const queueName = `chain_${run}`;
  const worker = new Worker(queueName, async () => undefined, { connection, concurrency: CONCURRENCY });
  const producer = new FlowProducer({ connection });
  const lastStep = (job: Job) => job.name === `step ${STEPS}`;
  const add = (count: number) => Promise.all(Array.from({ length: count }, () => producer.add(chainFlow(queueName))));
  const batch = (count: number) => timeBatch(worker, count, lastStep, () => add(count));
  try {
    await worker.waitUntilReady();
    await batch(WARMUP);
    return (FLOWS / (await batch(FLOWS))) * 1000;
  } finally {
    await worker.close();
    await producer.close();
  }
}

/** Jobs/s, each job the four steps in one processor call. */
async function singleJobRun(connection: Connection, run: number): Promise<number> {
  const queueName = `single_${run}`;
  const steps = async (job: Job) => {
    for (let step = 1; step <= STEPS; step++) await job.updateProgress(step);
  };
  const worker = new Worker(queueName, steps, { connection, concurrency: CONCURRENCY });
  const queue = new Queue(queueName, { connection });
  const add = (count: number) => Promise.all(Array.from({ length: count }, () => queue.add('handoff', {})));
  const batch = (count: number) =>
    timeBatch(
      worker,
      count,
      () => true,
      () => add(count),
    );
  try {
    await worker.waitUntilReady();
    await batch(WARMUP);
    return (JOBS / (await batch(JOBS))) * 1000;
  } finally {
    await worker.close();
    await queue.close();
  }
}

function figure(name: string, unit: string, rates: number[], note: string): Row {
  return { section: 'peer', name, value: round(median(rates)), unit, runs: rates.map((rate) => round(rate)), note };
}

/**
 * One round: each way once, in turn, so the ratios of a round are taken at the same moment of the machine. BullMQ
 * gets a fresh Redis each round, as the engine gets a fresh store each run: nothing of earlier rounds weighs on it.
 */
async function round_(binary: string, run: number, rounds: PeerRounds): Promise<void> {
  const redis = await startRedisServer(binary);
  try {
    const connection = { host: redis.host, port: redis.port };
    rounds.chain.push(await chainRun(connection, run));
    rounds.engineApi.push(await engineApiRun(FILE_STORE, run));
    rounds.singleJob.push(await singleJobRun(connection, run));
    rounds.overHttp.push(await overHttpRun(FILE_STORE));
  } finally {
    await redis.stop();
  }
  const at = (figures: number[]) => round(figures.at(-1)!);
  log(
    `peer, round ${run + 1}: BullMQ chain ${at(rounds.chain)} flows/s, engine API ${at(rounds.engineApi)} handoffs/s, BullMQ single job ${at(rounds.singleJob)} jobs/s, over HTTP ${at(rounds.overHttp)} handoffs/s`,
  );
}

const skipped = skipReason();
if (skipped) {
  log(`peer: ${skipped}`);
  const row: Row = { section: 'peer', name: 'BullMQ (peer reference)', value: 0, unit: '', note: skipped };
  report({ rows: [row], details: { skipped } });
} else {
  const rounds: PeerRounds = { engineApi: [], overHttp: [], chain: [], singleJob: [] };
  for (let run = 0; run < RUNS; run++) await round_(findRedisServer()!, run, rounds);
  const setup = `concurrency ${CONCURRENCY}; Redis appendfsync everysec`;
  report({
    rows: [
      figure(BULLMQ_CHAIN, 'flows/s', rounds.chain, `${FLOWS} flows per run; ${setup}`),
      figure(BULLMQ_SINGLE_JOB, 'jobs/s', rounds.singleJob, `${JOBS} jobs per run; ${setup}`),
      ...peerRatios(rounds),
    ],
    details: { flows: FLOWS, jobs: JOBS, warmup: WARMUP, concurrency: CONCURRENCY, rounds },
  });
}

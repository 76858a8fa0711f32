/**
 * npm run chaos: the server on a temporary embedded store, a load of handoffs whose steps call a
 * local webhook receiver (failures, retries, compensations, cancels, subscribers), SIGKILL at random
 * moments, restarts, then every invariant checked and printed. Exits 1 when one fails. Loopback only;
 * every loop is bounded by the run's deadline.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { ChaosClient } from './client.js';
import { Deadline, sleep } from './deadline.js';
import { checkInvariants, readStored } from './invariants.js';
import { Killer } from './killer.js';
import { driveLoad } from './load.js';
import { type ChaosOptions, parseOptions } from './options.js';
import { CHAOS_PROCEDURES, chaosProcedures } from './procedure.js';
import { Receiver } from './receiver.js';
import { driveRedrives, redriveCandidates } from './redrive.js';
import { type ChaosReport, formatReport, passed, reportJson } from './report.js';
import { ServerProcess } from './server-process.js';

const UNFINISHED = `{ handoffs(first: 1, filter: { procedureId: ${JSON.stringify(CHAOS_PROCEDURES)}, status: [PENDING, RUNNING, WAITING, ROLLING_BACK] }) { totalCount } }`;

/** A port nothing listens on now: every server of the run takes it in turn, so clients keep one address. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

async function waitUntilAllFinal(client: ChaosClient, deadline: Deadline): Promise<void> {
  for (;;) {
    deadline.check('every handoff to reach a final status');
    const reply = await client.gql(UNFINISHED);
    if (reply.data?.handoffs.totalCount === 0) return;
    await sleep(100);
  }
}

/** MONGODB_URL naming the run's own database (its query options kept). */
function mongoUrlOfRun(seed: number): { url: string; database: string } {
  const url = new URL(process.env.MONGODB_URL!);
  const database = `handoff_chaos_${seed}_${Date.now()}`;
  url.pathname = `/${database}`;
  return { url: url.toString(), database };
}

/** Where the run's servers keep everything: `--store`. */
function storeEnv(options: ChaosOptions, report: ChaosReport): Record<string, string> {
  if (options.store === 'embedded') return { STORE: 'embedded', DATA_DIR: report.dataDir };
  const { url, database } = mongoUrlOfRun(options.seed);
  report.store = `MongoDB database ${database} (MONGODB_URL's server)`;
  report.mongoDatabase = database;
  return { STORE: 'mongo', MONGODB_URL: url, DATA_DIR: report.dataDir };
}

/** Drops the run's MongoDB database (after a passed run: a failed one stays for inspection). */
async function dropMongoDatabase(database: string): Promise<void> {
  const client = new MongoClient(process.env.MONGODB_URL!, { serverSelectionTimeoutMS: 5_000 });
  try {
    await client.db(database).dropDatabase();
  } finally {
    await client.close();
  }
}

async function run(options: ChaosOptions, report: ChaosReport): Promise<void> {
  const deadline = new Deadline(options.deadlineMs);
  const receiver = new Receiver(options.seed, options.failureRate);
  const receiverUrl = await receiver.start();
  const port = await freePort();
  const server = new ServerProcess(
    {
      ...storeEnv(options, report),
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
      OUTBOUND_ALLOW_PRIVATE: '127.0.0.1',
    },
    report.serverLog,
  );
  const client = new ChaosClient(`http://127.0.0.1:${port}/graphql`, deadline);
  const killer = new Killer(server, options.kills, options.handoffs, options.seed);
  report.kills = killer.kills;
  report.calls = receiver.calls;
  try {
    await server.start();
    for (const input of chaosProcedures(receiverUrl)) {
      const defined = await client.gql(
        'mutation($input: CreateProcedureInput!) { createProcedure(input: $input) { userErrors { message } } }',
        { input },
      );
      if (defined.data?.createProcedure.userErrors.length !== 0)
        throw new Error(`could not define the chaos procedure ${input.id}: ${JSON.stringify(defined)}`);
    }
    const load = await driveLoad(options, client, `ws://127.0.0.1:${port}/graphql`, deadline, (count) =>
      killer.onAcknowledged(count),
    );
    await killer.done();
    await waitUntilAllFinal(client, deadline);
    // Then every failed or rolled-back handoff is retried under its id, with as many kills again among the redrives.
    const firstRuns = await readStored(client);
    const candidates = redriveCandidates(firstRuns, load.cancelsAcknowledged).length;
    const redriveKiller = new Killer(server, candidates > 0 ? options.kills : 0, candidates, options.seed ^ 0x2545f491);
    const redrives = await driveRedrives(client, firstRuns, load.cancelsAcknowledged, options.concurrency, (count) =>
      redriveKiller.onAcknowledged(count),
    );
    await redriveKiller.done();
    report.kills.push(...redriveKiller.kills.map((kill) => ({ ...kill, duringRedrives: true })));
    report.redrives = redrives.acknowledged.size;
    await waitUntilAllFinal(client, deadline);
    const stored = await readStored(client);
    for (const handoff of stored.values()) report.outcomes[handoff.status] = (report.outcomes[handoff.status] ?? 0) + 1;
    report.invariants = checkInvariants(load, stored, receiver.calls, redrives);
  } finally {
    await server.stop();
    await receiver.stop();
  }
}

async function main(): Promise<void> {
  let options: ChaosOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  }
  const started = Date.now();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'handoff-chaos-'));
  const report: ChaosReport = {
    options,
    dataDir,
    serverLog: path.join(dataDir, 'server.log'),
    store: `embedded SQLite in ${dataDir}`,
    kills: [],
    redrives: 0,
    outcomes: {},
    calls: [],
    invariants: [],
    error: null,
    durationMs: 0,
  };
  if (!options.json)
    process.stderr.write(
      `chaos: seed ${options.seed}, ${options.handoffs} handoffs, ${options.kills} kills, store ${options.store === 'mongo' ? 'MongoDB (MONGODB_URL)' : `in ${report.dataDir}`}\n`,
    );
  try {
    await run(options, report);
  } catch (error) {
    report.error = error instanceof Error ? error.message : String(error);
  }
  report.durationMs = Date.now() - started;
  console.log(options.json ? reportJson(report) : formatReport(report));
  // A failed run's store stays for inspection; a passed one is removed.
  if (passed(report)) {
    fs.rmSync(report.dataDir, { recursive: true, force: true });
    if (report.mongoDatabase) await dropMongoDatabase(report.mongoDatabase);
  }
  process.exit(passed(report) ? 0 : 1);
}

void main();

import { parseArgs } from 'node:util';

/** What a chaos run does; every number has a bound so a run always stops by itself. */
export interface ChaosOptions {
  handoffs: number;
  kills: number;
  seed: number;
  /** Initiate requests in flight at once. */
  concurrency: number;
  /** Handoffs followed over graphql-ws from their first event to their last, across kills. */
  followed: number;
  /** Share of handoffs that get a cancelHandoff at a random moment. */
  cancelRate: number;
  /** Share of webhook calls the receiver answers with 503 (the last step's calls: twice as often). */
  failureRate: number;
  /** Share of handoffs that run the graph procedure (steps at once, a list, a sub-handoff) instead of the chain. */
  graphShare: number;
  /** The whole run's deadline: past it the run fails rather than waits. */
  deadlineMs: number;
  /** `embedded`: a SQLite file in a temp dir; `mongo`: a fresh database on MONGODB_URL (dropped after a passed run). */
  store: 'embedded' | 'mongo';
  json: boolean;
}

const HELP = `npm run chaos -- [--handoffs 400] [--kills 5] [--seed N] [--concurrency 16] [--followed 40]
                 [--cancel-rate 0.15] [--failure-rate 0.2] [--graph-share 0.5] [--deadline-s 300]
                 [--store embedded|mongo] [--json]
--store mongo runs the server on a new database of the MongoDB server MONGODB_URL names.`;

function bounded(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max)
    throw new Error(`--${name} must be a number from ${min} to ${max}, got "${raw}"\n${HELP}`);
  return value;
}

export function parseOptions(argv: string[]): ChaosOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      handoffs: { type: 'string' },
      kills: { type: 'string' },
      seed: { type: 'string' },
      concurrency: { type: 'string' },
      followed: { type: 'string' },
      'cancel-rate': { type: 'string' },
      'failure-rate': { type: 'string' },
      'graph-share': { type: 'string' },
      'deadline-s': { type: 'string' },
      store: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) throw new Error(HELP);
  const handoffs = Math.floor(bounded('handoffs', values.handoffs, 400, 1, 100_000));
  const store = values.store ?? 'embedded';
  if (store !== 'embedded' && store !== 'mongo')
    throw new Error(`--store must be embedded or mongo, got "${store}"\n${HELP}`);
  if (store === 'mongo' && !process.env.MONGODB_URL) throw new Error(`--store mongo needs MONGODB_URL\n${HELP}`);
  return {
    handoffs,
    kills: Math.floor(bounded('kills', values.kills, 5, 0, 100)),
    seed: Math.floor(bounded('seed', values.seed, Math.floor(Math.random() * 2 ** 31), 0, 2 ** 32 - 1)),
    concurrency: Math.floor(bounded('concurrency', values.concurrency, 16, 1, 512)),
    followed: Math.min(handoffs, Math.floor(bounded('followed', values.followed, 40, 0, 1_000))),
    cancelRate: bounded('cancel-rate', values['cancel-rate'], 0.15, 0, 1),
    failureRate: bounded('failure-rate', values['failure-rate'], 0.2, 0, 0.9),
    graphShare: bounded('graph-share', values['graph-share'], 0.5, 0, 1),
    deadlineMs: bounded('deadline-s', values['deadline-s'], 300, 10, 86_400) * 1000,
    store,
    json: values.json ?? false,
  };
}

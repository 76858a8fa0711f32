import type { EngineStores } from '../../engine/engine-stores.js';
import type { ChangePublisher } from '../change-publisher.js';
import type { Database } from '../collection.js';
import { AgentFeedRepository } from '../repositories/agent-feed-repository.js';
import { HandoffRepository } from '../repositories/handoff-repository.js';
import { ChangeLog } from './change-log.js';
import { ChangeWakeup } from './change-wakeup.js';
import { MongoDatabase } from './mongo.js';
import { MongoChangeFeed } from './mongo-change-feed.js';
import { MongoCommittedEvents } from './mongo-committed-events.js';

/** How long the change log keeps records: the longest a webhook dispatcher (or a follower) may be away and miss nothing. */
const CHANGE_LOG_RETENTION_MS = 24 * 60 * 60_000;

/** The database's change log, as `writer` appends to it. */
export function openChangeLog(
  db: MongoDatabase,
  writer: string,
  retentionMs = CHANGE_LOG_RETENTION_MS,
): Promise<ChangeLog> {
  return ChangeLog.open(db.driverDb, db.locks, db.writes, {
    writer,
    retentionMs,
    pushesDownIdOnly: db.server.pushesDownIdOnly,
  });
}

type MongoStores = Pick<EngineStores, 'sharing' | 'handoffs' | 'agentFeed' | 'handoffChanges' | 'committedEvents'>;

/** Repositories write under the database's document locks and announce to `log`. */
export function changePublisher(db: MongoDatabase, log: ChangeLog): ChangePublisher {
  return {
    locked: (collection, id, work) => db.locks.locked(collection, id, work),
    publish: (changes, audience) => log.append(changes, audience),
    onAbandoned: (collection, repair) => db.locks.onAbandoned(collection, repair),
  };
}

/**
 * The ports whose commits other processes must hear of, on MongoDB or FerretDB: handoffs and agent
 * feeds write under document locks and announce to the change log; the change feed and the
 * webhooks' committed events read it by position (woken by a change stream where the server has
 * them). Null for a Database that is not a MongoDatabase (a test wrapper).
 */
export async function openMongoStores(
  db: Database,
  writer: string,
  finishedCacheBytes: number,
): Promise<MongoStores | null> {
  if (!(db instanceof MongoDatabase)) return null;
  const log = await openChangeLog(db, writer);
  const publisher = changePublisher(db, log);
  // From here on every mirrored write is announced; the mirrors are read after this point and follow on from it.
  const start = await log.head();
  db.mirrors.attach((change, audience) => log.append([change], audience));
  const handoffs = await HandoffRepository.open(db, finishedCacheBytes, writer, publisher);
  const wakeup = db.server.changeStreams ? new ChangeWakeup(db.driverDb) : null;
  return {
    sharing: 'shared',
    handoffs,
    agentFeed: await AgentFeedRepository.open(db, writer, publisher),
    handoffChanges: new MongoChangeFeed(log, wakeup, db.mirrors, start),
    committedEvents: new MongoCommittedEvents(log),
  };
}

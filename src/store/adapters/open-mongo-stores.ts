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

/** The change log of a MongoDatabase and where following it starts (null for a stand-in Database). */
export interface OpenedChangeLog {
  log: ChangeLog;
  /** The head before any mirror was read: a follower starting here misses nothing they did not see. */
  start: number;
}

/**
 * Opens the change log for `writer` and has mirrored collections announce their writes to it from
 * now on. Called before any repository opens (a mirror is read when its collection opens).
 */
export async function openChangeLogOf(db: Database, writer: string): Promise<OpenedChangeLog | null> {
  if (!(db instanceof MongoDatabase)) return null;
  const log = await openChangeLog(db, writer);
  const start = await log.head();
  db.mirrors.attach((change, audience) => log.append([change], audience));
  return { log, start };
}

/**
 * The ports whose commits other processes must hear of, on MongoDB or FerretDB: handoffs and agent
 * feeds write under document locks and announce to the change log; the change feed and the
 * webhooks' committed events read it by position (woken by a change stream where the server has
 * them).
 */
export async function openMongoStores(
  db: Database,
  writer: string,
  finishedCacheBytes: number,
  { log, start }: OpenedChangeLog,
): Promise<MongoStores> {
  const mongo = db as MongoDatabase;
  const publisher = changePublisher(mongo, log);
  const wakeup = mongo.server.changeStreams ? new ChangeWakeup(mongo.driverDb) : null;
  return {
    sharing: 'shared',
    handoffs: await HandoffRepository.open(db, finishedCacheBytes, writer, publisher),
    agentFeed: await AgentFeedRepository.open(db, writer, publisher),
    handoffChanges: new MongoChangeFeed(log, wakeup, mongo.mirrors, start, mongo.server.writesOneAtATime),
    committedEvents: new MongoCommittedEvents(log),
  };
}

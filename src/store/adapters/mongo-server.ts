import type { Db } from 'mongodb';

/**
 * What the server behind MONGODB_URL offers, asked once at start-up. Everything the adapter does
 * differently per server is decided from this, and said in the start-up log and on `/ready`.
 */
export interface MongoServerInfo {
  /** `MongoDB 7.0.14`, or `FerretDB v1.24.2 (MongoDB 7.0.42 wire)`. */
  readonly description: string;
  /**
   * FerretDB 1.x pushes only a filter on a single `_id` down to its backend (every other filter reads
   * the whole collection): a read that names its documents by id is then served as point reads.
   */
  readonly pushesDownIdOnly: boolean;
  /** FerretDB on SQLite: one write at a time, the others wait inside SQLite (see WriteGate). */
  readonly writesOneAtATime: boolean;
  /**
   * A replica set whose change streams answered: the change log is watched for inserts (a wake-up),
   * rather than only read by position on every poll. Standalone servers and FerretDB have none.
   */
  readonly changeStreams: boolean;
}

/** Asks `buildInfo` and `hello`, then opens (and closes) a change stream if the server names a replica set. */
export async function probeServer(db: Db): Promise<MongoServerInfo> {
  const build = (await db.command({ buildInfo: 1 })) as { version?: string; ferretdbVersion?: string };
  const hello = (await db.command({ hello: 1 })) as { setName?: string };
  const ferret = typeof build.ferretdbVersion === 'string';
  const description = ferret
    ? `FerretDB ${build.ferretdbVersion} (MongoDB ${build.version} wire)`
    : `MongoDB ${build.version ?? 'unknown version'}${hello.setName ? ` (replica set ${hello.setName})` : ' (standalone)'}`;
  return {
    description,
    pushesDownIdOnly: ferret,
    writesOneAtATime: ferret,
    changeStreams: Boolean(hello.setName) && (await canWatch(db)),
  };
}

/** A change stream opened on the database answers its first (empty) batch: change streams work here. */
async function canWatch(db: Db): Promise<boolean> {
  const stream = db.watch([], { maxAwaitTimeMS: 1 });
  try {
    await stream.tryNext();
    return true;
  } catch {
    return false;
  } finally {
    await stream.close().catch(() => undefined);
  }
}

import type { EngineStores } from '../../src/engine/engine-stores.js';
import type { Database } from '../../src/store/collection.js';
import { openStores } from '../../src/store/open-stores.js';
import { SqliteChangeFeed } from '../../src/store/sqlite/sqlite-change-feed.js';
import { SqliteDatabase } from '../../src/store/sqlite/sqlite-database.js';

/**
 * The engine's ports on `db` for one engine named `writer`. `shared`: several engines of this test
 * share the store as separate processes would (leases count, and on SQLite each follows the
 * others' commits through the change feed), even on an in-memory database.
 */
export async function testStores(db: Database, writer = 'test', shared = false): Promise<EngineStores> {
  const stores = await openStores(db, { writer });
  if (!shared || stores.sharing === 'shared') return stores;
  const handoffChanges = db instanceof SqliteDatabase ? new SqliteChangeFeed(db.connection, writer) : null;
  return { ...stores, sharing: 'shared', handoffChanges };
}

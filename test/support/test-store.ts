import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { mongoUrlFor } from './server-stores.js';

/**
 * The store a test server gets when its test does not name one: in memory, or with
 * HANDOFF_TEST_STORE=mongo a fresh database on MONGODB_URL (dropped by `dispose`). The CI script runs
 * the docs pages' walkthroughs a second time that way, on FerretDB.
 */
export function testStoreSettings(env: Record<string, string | undefined> = process.env): {
  settings: Record<string, string>;
  dispose(): Promise<void>;
} {
  if (env.HANDOFF_TEST_STORE !== 'mongo') return { settings: { STORE: 'memory' }, dispose: async () => undefined };
  const url = env.MONGODB_URL;
  if (!url) throw new Error('HANDOFF_TEST_STORE=mongo needs MONGODB_URL');
  const database = `handoff_test_${randomUUID().slice(0, 8)}`;
  return {
    settings: { STORE: 'mongo', MONGODB_URL: mongoUrlFor(url, database) },
    async dispose() {
      const client = new MongoClient(url, { serverSelectionTimeoutMS: 5_000 });
      try {
        await client.db(database).dropDatabase();
      } finally {
        await client.close();
      }
    },
  };
}

import path from 'node:path';
import type { Config } from '../config.js';
import type { Logger } from '../engine/shared/logger.js';
import type { Database } from './collection.js';
import { importNedbDirectory } from './sqlite/import-nedb.js';
import { SqliteDatabase } from './sqlite/sqlite-database.js';

/** The embedded store's database file inside DATA_DIR. */
export const EMBEDDED_FILE = 'handoff.sqlite';

/**
 * Picks the adapter the configuration names. The embedded store imports a data directory of the
 * earlier nedb store at its first start. `onDamage`: the background integrity check of a large
 * file found damage after start-up (the server stops on it).
 */
export async function openDatabase(
  config: Pick<Config, 'store' | 'mongodbUrl' | 'dataDir' | 'storeSync'>,
  options: {
    logger: Logger;
    now: number;
    onDamage?: (error: Error) => void;
    /** This process in MongoDB write locks, and how to tell a dead one (see DocumentLocks). */
    owner?: string;
    isOwnerGone?: (owner: string) => boolean;
  },
): Promise<Database> {
  switch (config.store) {
    case 'mongo': {
      // Loaded only here: the driver costs start-up time a SQLite server does not need to spend.
      const { MongoDatabase } = await import('./adapters/mongo.js');
      return MongoDatabase.connect(config.mongodbUrl!, undefined, {
        owner: options.owner,
        isOwnerGone: options.isOwnerGone,
        warn: (message, error) => options.logger.warn({ err: error }, message),
      });
    }
    case 'memory':
      return SqliteDatabase.inMemory();
    case 'embedded': {
      const db = SqliteDatabase.open(path.join(config.dataDir, EMBEDDED_FILE), {
        sync: config.storeSync,
        onDamage: options.onDamage,
        onUnchecked: (error) =>
          options.logger.warn(
            { err: error },
            'the integrity check of the store could not run; the store is not known to be damaged',
          ),
        onCheckpointFailure: (error) =>
          options.logger.warn({ err: error }, 'a background checkpoint of the store failed; it is tried again'),
      });
      try {
        await importNedbDirectory(config.dataDir, db, options.logger, options.now);
      } catch (error) {
        await db.close();
        throw error;
      }
      return db;
    }
  }
}

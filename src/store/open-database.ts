import type { Config } from '../config.js';
import type { Database } from './collection.js';
import { MongoDatabase } from './adapters/mongo.js';
import { NedbDatabase } from './adapters/nedb.js';

/** Picks the adapter the configuration names. */
export async function openDatabase(config: Pick<Config, 'store' | 'mongodbUrl' | 'dataDir'>): Promise<Database> {
  switch (config.store) {
    case 'mongo':
      return MongoDatabase.connect(config.mongodbUrl!);
    case 'memory':
      return NedbDatabase.inMemory();
    case 'embedded':
      return NedbDatabase.persisted(config.dataDir);
  }
}

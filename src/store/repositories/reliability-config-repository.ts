import type { ReliabilityConfigStore } from '../../engine/reliability/reliability-stores.js';
import type { ReliabilityTestConfig } from '../../engine/reliability/reliability-test.js';
import { type Collection, type Database, DuplicateKeyError } from '../collection.js';
import { findManyInOrder } from '../pagination.js';

type ConfigDocument = Omit<ReliabilityTestConfig, 'id'> & { _id: string };

function toDocument(config: ReliabilityTestConfig): ConfigDocument {
  const { id, ...rest } = config;
  return { _id: id, ...rest };
}

function toConfig(doc: ConfigDocument): ReliabilityTestConfig {
  const { _id, ...rest } = doc;
  return { id: _id, ...rest };
}

/** Reliability test configurations: the six standard ones and any created through the API. */
export class ReliabilityConfigRepository implements ReliabilityConfigStore {
  private constructor(private readonly configs: Collection<ConfigDocument>) {}

  static async open(db: Database): Promise<ReliabilityConfigRepository> {
    return new ReliabilityConfigRepository(
      await db.collection<ConfigDocument>('reliability_configs', [{ fields: ['type'] }]),
    );
  }

  async get(id: string): Promise<ReliabilityTestConfig | null> {
    const doc = await this.configs.findOne({ _id: id });
    return doc ? toConfig(doc) : null;
  }

  async getMany(ids: readonly string[]): Promise<(ReliabilityTestConfig | null)[]> {
    return findManyInOrder(this.configs, ids, toConfig);
  }

  /** Standard configurations first, then the others, each by id. */
  async list(): Promise<ReliabilityTestConfig[]> {
    const docs = await this.configs.find({}, { sort: { _id: 1 } });
    return docs.map(toConfig).sort((a, b) => Number(b.builtIn) - Number(a.builtIn));
  }

  /** Stores a new configuration; DuplicateKeyError when the id is taken. */
  async insert(config: ReliabilityTestConfig): Promise<void> {
    await this.configs.insertOne(toDocument(config));
  }

  /** Stores the configurations that are missing; returns how many were added. */
  async insertMissing(configs: ReliabilityTestConfig[]): Promise<number> {
    let added = 0;
    for (const config of configs) {
      try {
        await this.configs.insertOne(toDocument(config));
        added++;
      } catch (error) {
        if (!(error instanceof DuplicateKeyError)) throw error; // already there (seeded before, or by another process)
      }
    }
    return added;
  }
}

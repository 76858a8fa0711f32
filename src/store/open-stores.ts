import type { EngineStores } from '../engine/engine-stores.js';
import type { Database } from './collection.js';
import { A2AAgentRepository } from './repositories/a2a-agent-repository.js';
import { AgentFeedRepository } from './repositories/agent-feed-repository.js';
import { AgentRepository } from './repositories/agent-repository.js';
import { AgentTaskRepository } from './repositories/agent-task-repository.js';
import { BulkOperationRepository } from './repositories/bulk-operation-repository.js';
import { HandoffRepository } from './repositories/handoff-repository.js';
import { InboxRepository } from './repositories/inbox-repository.js';
import { InsightRepository } from './repositories/insight-repository.js';
import { ProcedureRepository } from './repositories/procedure-repository.js';
import { ReliabilityConfigRepository } from './repositories/reliability-config-repository.js';
import { ReliabilityTestRepository } from './repositories/reliability-test-repository.js';
import { ValidationRuleRepository } from './repositories/validation-rule-repository.js';
import { ValidationSessionRepository } from './repositories/validation-session-repository.js';
import { WebhookRepository } from './repositories/webhook-repository.js';
import { SqliteAgentFeed } from './sqlite/sqlite-agent-feed.js';
import { SqliteChangeFeed } from './sqlite/sqlite-change-feed.js';
import { SqliteCommittedEvents } from './sqlite/sqlite-committed-events.js';
import { SqliteDatabase } from './sqlite/sqlite-database.js';
import { SqliteHandoffStore } from './sqlite/sqlite-handoff-store.js';

export interface StoreOptions {
  /** This process's name on the rows it writes (the change feed of other processes skips nothing of it). */
  writer: string;
  /** Budget (bytes of stored text) for finished handoffs kept parsed in memory. */
  finishedHandoffCacheBytes?: number;
}

/**
 * The engine's ports on one database: SQLite gets its native handoff store (a transition and its
 * events in one transaction) and a change feed when it is a file other processes may open;
 * MongoDB the document repositories and the change log (see open-mongo-stores); any other Database (benchmark stubs,
 * fault-injecting wrappers in tests) the document repositories alone, as the only process.
 */
export async function openStores(db: Database, options: StoreOptions): Promise<EngineStores> {
  const cacheBytes = options.finishedHandoffCacheBytes ?? 0;
  // Loaded only for MongoDB: the driver costs start-up time a SQLite server does not need to spend. Its
  // change log is in place before any repository opens, so every write from here on is announced.
  const mongo = db.kind === 'mongo' ? await import('./adapters/open-mongo-stores.js') : null;
  const changes = mongo ? await mongo.openChangeLogOf(db, options.writer) : null;
  const documents = {
    procedures: await ProcedureRepository.open(db),
    agents: await AgentRepository.open(db),
    inbox: await InboxRepository.open(db),
    agentTasks: await AgentTaskRepository.open(db),
    a2aAgents: await A2AAgentRepository.open(db),
    validationRules: await ValidationRuleRepository.open(db),
    validationSessions: await ValidationSessionRepository.open(db),
    reliabilityConfigs: await ReliabilityConfigRepository.open(db),
    reliabilityTests: await ReliabilityTestRepository.open(db),
    webhooks: await WebhookRepository.open(db),
    bulkOperations: await BulkOperationRepository.open(db),
    insight: await InsightRepository.open(db),
  };
  if (db instanceof SqliteDatabase) {
    const shared = db.kind === 'embedded';
    const handoffs = new SqliteHandoffStore(db.connection, options.writer, db.operations, cacheBytes);
    return {
      ...documents,
      sharing: shared ? 'shared' : 'exclusive',
      handoffs,
      committedEvents: new SqliteCommittedEvents(db.connection),
      agentFeed: new SqliteAgentFeed(db.connection, options.writer, db.operations),
      handoffChanges: shared ? new SqliteChangeFeed(db.connection, options.writer) : null,
    };
  }
  if (mongo && changes)
    return { ...documents, ...(await mongo.openMongoStores(db, options.writer, cacheBytes, changes)) };
  const handoffs = await HandoffRepository.open(db, cacheBytes, options.writer);
  const agentFeed = await AgentFeedRepository.open(db, options.writer);
  // A stand-in Database (benchmarks, fault-injecting wrappers) keeps no commit order: no webhook deliveries.
  return { ...documents, sharing: 'exclusive', handoffs, agentFeed, handoffChanges: null, committedEvents: null };
}

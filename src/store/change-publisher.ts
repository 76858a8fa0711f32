import type { AgentFeedChange } from '../engine/agents/agent-feed-store.js';
import type { HandoffChange } from '../engine/kernel/ports/handoff-store.js';

/** What the change log carries: the kernel's handoff changes and the agents module's feed entries. */
export type StoreChange = HandoffChange | AgentFeedChange;

/**
 * How the document repositories make what they commit reach other processes on a store without
 * multi-document transactions (MongoDB, FerretDB): a document is written under its write lock,
 * and the change is appended to the shared change log before the lock is let go (see ChangeLog
 * for why that keeps every document's changes in commit order, with nothing lost to a crash).
 */
export interface ChangePublisher {
  /** Runs `work` holding the write lock of one document (its guarded writes inside do not lock again). */
  locked<T>(collection: string, id: string, work: () => Promise<T>): Promise<T>;
  /**
   * Appends to the change log; resolves once stored. `others`: what this process committed and told
   * its own listeners of; `everyone`: what it repeats for another (a repair), its own listeners included.
   */
  publish(changes: StoreChange[], audience?: 'others' | 'everyone'): Promise<void>;
  /**
   * What to do for a document of `collection` whose writer died (or failed) holding its lock:
   * finish what that writer may have committed but not appended (appending twice is harmless:
   * followers drop what they delivered already).
   */
  onAbandoned(collection: string, repair: (id: string) => Promise<void>): void;
}

/** For a store no other process reads changes from (a test or benchmark stand-in): nothing to lock or publish. */
export const UNPUBLISHED: ChangePublisher = {
  locked: (_collection, _id, work) => work(),
  publish: async () => undefined,
  onAbandoned: () => undefined,
};

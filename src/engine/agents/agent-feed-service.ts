import type { Clock } from '../shared/clock.js';
import { followGapless } from '../shared/gapless-follow.js';
import type { Logger } from '../shared/logger.js';
import { Topic } from '../shared/topic.js';
import type { AgentFeedDraft, AgentFeedEntry } from './agent-feed.js';
import type { AgentFeedStore } from './agent-feed-store.js';

/** Where the engine writes what concerns an agent. */
export interface AgentFeedRecorder {
  /**
   * Appends to the agent's feed and tells its followers. Never rejects: the feed tells agents of
   * their work, the stored tasks and deliveries are what counts, so a failed append is logged.
   */
  record(agentId: string, drafts: AgentFeedDraft[]): Promise<void>;
}

/** Agents' feeds: written by the engine, followed by agents (stored first, then live). */
export class AgentFeedService implements AgentFeedRecorder {
  /** Every entry this process hears of: its own as they are stored, other processes' through the change feed. */
  readonly entries = new Topic<AgentFeedEntry>();

  constructor(
    private readonly store: AgentFeedStore,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  async record(agentId: string, drafts: AgentFeedDraft[]): Promise<void> {
    try {
      for (const entry of await this.store.append(agentId, drafts, this.clock.now())) this.entries.publish(entry);
    } catch (error) {
      this.logger.error(
        { agentId, types: drafts.map((draft) => draft.type), err: error },
        'could not append to an agent feed',
      );
    }
  }

  /** Entries another process appended: for followers here (they skip what they have by seq). */
  publishForeign(entries: AgentFeedEntry[]): void {
    for (const entry of entries) this.entries.publish(entry);
  }

  /** Stored entries after `after`, oldest first. */
  history(agentId: string, after: number, limit: number): Promise<AgentFeedEntry[]> {
    return this.store.after(agentId, after, limit);
  }

  /** The agent's entries after `after`: stored ones, then live ones, gapless, until the follower leaves. */
  follow(agentId: string, after: number): AsyncIterableIterator<AgentFeedEntry> {
    return followGapless<AgentFeedEntry>(
      {
        read: (from, limit) => this.store.after(agentId, from, limit),
        subscribe: (listener) => this.entries.subscribe((entry) => entry.agentId === agentId && listener(entry)),
      },
      after,
      this.clock,
      (error) => this.logger.error({ agentId, err: error }, 'agent feed stream failed'),
    );
  }
}

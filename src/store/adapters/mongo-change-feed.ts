import { LRUCache } from 'lru-cache';
import type { AgentFeedChange } from '../../engine/agents/agent-feed-store.js';
import type { HandoffChangeFeed } from '../../engine/kernel/ports/handoff-store.js';
import type { StoreChange } from '../change-publisher.js';
import type { ChangeLog } from './change-log.js';
import type { ChangeWakeup } from './change-wakeup.js';
import type { MirrorHub } from './document-mirror.js';

/** Handoffs and agents whose last delivered seq is remembered, to drop a change announced twice. */
const REMEMBERED = 100_000;
/** With `idleBackoff`: after reads that found nothing, the next waits 25, 50, 100, then 200 ms at most. */
const IDLE_PAUSES_MS = [25, 50, 100, 200];

/**
 * What other processes committed, read from the change log by position (see ChangeLog for why
 * that misses nothing and keeps each handoff's order). A change announced twice (by a process
 * repairing one that died part-way) is delivered once: each handoff's and agent's last delivered
 * seq is remembered. With a `wakeup` (a change stream on a replica set), the log is read only
 * when something was appended, instead of at every poll. Mirrored documents (FerretDB) go to their
 * mirrors here, not to the engine; `start` is where the mirrors were read, so following starts there.
 */
export class MongoChangeFeed implements HandoffChangeFeed<AgentFeedChange> {
  private readonly handoffSeqs = new LRUCache<string, number>({ max: REMEMBERED });
  private readonly agentSeqs = new LRUCache<string, number>({ max: REMEMBERED });
  /** The last read stopped at its limit: the next reads on without waiting for a wake-up. */
  private more = false;
  private emptyReads = 0;
  private quietUntil = 0;

  private start: number | null;

  constructor(
    private readonly log: ChangeLog,
    private readonly wakeup: ChangeWakeup | null,
    private readonly mirrors: MirrorHub,
    start: number,
    /**
     * Read less often while nothing comes (FerretDB: every read costs its single writer's time too):
     * a change then arrives up to 200 ms later than the poll that could have read it.
     */
    private readonly idleBackoff = false,
  ) {
    this.start = start;
  }

  async head(): Promise<string> {
    // The first follower starts where the mirrors were read, so they miss nothing committed since.
    const start = this.start;
    this.start = null;
    return String(start ?? (await this.log.head()));
  }

  async read(position: string, limit: number): Promise<{ changes: StoreChange[]; position: string; more: boolean }> {
    if (this.wakeup && !this.more && !this.wakeup.due()) return { changes: [], position, more: false };
    if (!this.more && Date.now() < this.quietUntil) return { changes: [], position, more: false };
    const read = await this.log.readAfter(Number(position) || 0, limit, { skipOwn: true });
    if (this.idleBackoff) this.pauseWhenQuiet(String(read.position) === position);
    const changes: StoreChange[] = [];
    for (const record of read.records) {
      if (record.writer === this.log.settings.writer && !record.toWriter) continue;
      for (const change of record.changes) {
        if (change.kind === 'mirror') {
          this.mirrors.apply(change);
          continue;
        }
        const fresh = this.unseen(change);
        if (fresh) changes.push(fresh);
      }
    }
    this.more = read.records.length === limit;
    return { changes, position: String(read.position), more: this.more };
  }

  private pauseWhenQuiet(quiet: boolean): void {
    this.emptyReads = quiet ? this.emptyReads + 1 : 0;
    if (quiet) this.quietUntil = Date.now() + IDLE_PAUSES_MS[Math.min(this.emptyReads, IDLE_PAUSES_MS.length) - 1]!;
  }

  /** The change without what was delivered before (null when nothing is left). */
  private unseen(change: StoreChange): StoreChange | null {
    if (change.kind === 'events') {
      const events = change.events.filter((event) => this.advance(this.handoffSeqs, event.handoffId, event.seq));
      return events.length > 0 ? { kind: 'events', events } : null;
    }
    if (change.kind === 'agentFeed') {
      const entries = change.entries.filter((entry) => this.advance(this.agentSeqs, entry.agentId, entry.seq));
      return entries.length > 0 ? { kind: 'agentFeed', entries } : null;
    }
    // Signals and cancels are idempotent where they land.
    return change;
  }

  private advance(seqs: LRUCache<string, number>, key: string, seq: number): boolean {
    if (seq <= (seqs.get(key) ?? 0)) return false;
    seqs.set(key, seq);
    return true;
  }

  async close(): Promise<void> {
    await this.wakeup?.close();
  }
}

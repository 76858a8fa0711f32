import { AgentApi, type FeedEntry, pause, untilAnswered } from './agent-api.js';
import { type FeedPosition, memoryPosition, type PositionStore } from './feed-position.js';
import { GraphQLClient } from './graphql-client.js';
import { HandledEntries } from './handled-entries.js';
import type { Delivery, TaskHandler } from './task.js';
import { type Log, TaskRun } from './task-run.js';

export interface WorkerOptions {
  /** The server's GraphQL endpoint, e.g. http://localhost:4000/graphql. */
  url: string;
  /** The agent this worker works for. */
  agent: string;
  /** An API key: one bound to the agent (name:agent=<agentId>:key) or an operator's. */
  key?: string;
  /** Does one task; its output becomes the step's output. See TaskContext for heartbeats, failures and context. */
  handle: TaskHandler;
  /** Called with what a handoff delivered, before the worker acknowledges it (a throw leaves it unacknowledged). */
  onDelivery?: (delivery: Delivery) => void | Promise<void>;
  /** Where the last handled feed position is kept across restarts (filePosition(path)); default: memory only. */
  position?: PositionStore;
  /** Tasks run at once (default 1); further offers wait, unclaimed, for a free slot. */
  concurrency?: number;
  /**
   * Registers the agent with these capabilities and permissions at start, replacing what is registered.
   * Leave it out to change nothing: the agent must then be registered by an operator (registerAgent).
   */
  register?: { capabilities?: string[]; permissions?: string[] };
  /** How often the agent's heartbeat (READY) is sent; 0: never (default 10 s). */
  agentHeartbeatMs?: number;
  /** How long stop() lets running tasks finish before it hands them back (default 10 s). */
  stopGraceMs?: number;
  log?: Log;
  /** The fetch to use (default: the global one). */
  fetch?: typeof fetch;
}

export interface Worker {
  readonly agentId: string;
  /** Loads the saved position, registers the agent when asked, then follows the feed in the background. */
  start(): Promise<void>;
  /**
   * Stops taking work; lets running tasks finish within stopGraceMs, then hands the rest back
   * (failed as WORKER_STOPPED, retryable, so the step is offered again), and saves the position.
   */
  stop(): Promise<void>;
}

/** A task being claimed (run still null) or run. */
interface Slot {
  run: TaskRun | null;
  done: Promise<void>;
}

/** How long stop() waits for handed-back tasks to send their outcome before it abandons them. */
const HAND_BACK_MS = 5_000;

export function createWorker(options: WorkerOptions): Worker {
  return new AgentWorker(options);
}

class AgentWorker implements Worker {
  readonly agentId: string;
  private readonly api: AgentApi;
  private readonly positions: PositionStore;
  private readonly log: Log;
  private readonly following = new AbortController();
  private readonly abandon = new AbortController();
  private readonly runs = new Map<string, Slot>();
  private readonly offers: FeedEntry[] = [];
  private readonly background: Promise<void>[] = [];
  private handled = new HandledEntries({ seq: 0, at: null });
  private lastSeen = 0;
  private saving: Promise<void> = Promise.resolve();
  private started = false;

  constructor(private readonly options: WorkerOptions) {
    this.agentId = options.agent;
    this.api = new AgentApi(
      new GraphQLClient({ url: options.url, key: options.key, fetch: options.fetch }),
      options.agent,
    );
    this.positions = options.position ?? memoryPosition();
    this.log = options.log ?? ((message) => console.log(`[${options.agent}] ${message}`));
  }

  async start(): Promise<void> {
    if (this.started) throw new Error('the worker is already started');
    this.started = true;
    const position = await untilAnswered(
      () => this.resumePosition(),
      this.following.signal,
      (error) => this.log(`${error.message}; trying again`),
    );
    this.handled = new HandledEntries(position);
    this.lastSeen = position.seq;
    if (this.options.register) await this.api.register(this.options.register);
    this.background.push(this.heartbeatLoop(), this.followLoop());
    this.log(`following the feed after seq ${position.seq}`);
  }

  /** The saved position, if the server's feed still has that entry as it was (else: from the start). */
  private async resumePosition(): Promise<FeedPosition> {
    const saved = await this.positions.load(this.agentId);
    if (!saved || saved.seq === 0) return { seq: 0, at: null };
    const entry = await this.api.entryAfter(saved.seq - 1);
    if (entry?.seq === saved.seq && entry.at === saved.at) return saved;
    this.log(`the saved position (seq ${saved.seq}) is not in this server's feed; reading the feed from the start`);
    return { seq: 0, at: null };
  }

  async stop(): Promise<void> {
    if (this.following.signal.aborted) return;
    this.following.abort(new Error('the worker is stopping'));
    this.offers.length = 0;
    const running = () => Promise.all([...this.runs.values()].map((entry) => entry.done));
    const grace = new AbortController();
    await Promise.race([running(), pause(this.options.stopGraceMs ?? 10_000, grace.signal)]);
    grace.abort();
    if (this.runs.size > 0) {
      this.log(`handing back ${this.runs.size} task(s) still running`);
      for (const { run } of this.runs.values()) run?.handBack();
      const handBack = new AbortController();
      await Promise.race([running(), pause(HAND_BACK_MS, handBack.signal)]);
      handBack.abort();
    }
    this.abandon.abort(new Error('the worker stopped'));
    await Promise.allSettled(this.background);
    await this.saving;
  }

  private async heartbeatLoop(): Promise<void> {
    const every = this.options.agentHeartbeatMs ?? 10_000;
    if (every <= 0) return;
    let registered = true;
    for (const stop = this.following.signal; !stop.aborted; await pause(registered ? every : 2_000, stop)) {
      try {
        const now = await this.api.heartbeat();
        if (now !== registered)
          this.log(
            now
              ? 'the agent is registered: heartbeats resumed'
              : `agent ${this.agentId} is not registered: an operator registers it (registerAgent), or start the worker with register`,
          );
        registered = now;
      } catch (error) {
        if (!stop.aborted) this.log(`agent heartbeat failed: ${(error as Error).message}`);
      }
    }
  }

  /** Follows the feed after the last entry seen; after a dropped stream (a restart), subscribes again from there. */
  private async followLoop(): Promise<void> {
    const stop = this.following.signal;
    for (let failures = 0; !stop.aborted; failures++) {
      try {
        for await (const { agentFeed: entry } of this.api.feed(this.lastSeen, stop)) {
          failures = 0;
          if (entry.seq <= this.lastSeen) continue;
          this.lastSeen = entry.seq;
          this.dispatch(entry);
        }
      } catch (error) {
        if (stop.aborted) return;
        this.log(`feed connection lost (${(error as Error).message}); resuming after seq ${this.lastSeen}`);
      }
      await pause(Math.min(5_000, 200 * 2 ** failures), stop);
    }
  }

  private dispatch(entry: FeedEntry): void {
    this.handled.begin(entry.seq, entry.at);
    if (entry.type === 'TASK_OFFERED' && entry.task?.status === 'OFFERED') {
      this.offers.push(entry);
      this.takeOffers();
      return;
    }
    if (entry.type === 'TASK_WITHDRAWN' && entry.taskId)
      this.runs.get(entry.taskId)?.run?.takeBack('taken back by the engine');
    if (entry.type === 'CONTEXT_DELIVERED' && entry.handoffId) {
      const handoffId = entry.handoffId;
      return void this.acknowledge(handoffId).then(
        () => this.finish(entry.seq),
        (error) => {
          if (!this.following.signal.aborted)
            this.log(`delivery of handoff ${handoffId} not acknowledged: ${error.message}`);
        },
      );
    }
    this.finish(entry.seq);
  }

  private finish(seq: number): void {
    const moved = this.handled.finish(seq);
    if (!moved) return;
    this.saving = this.saving
      .then(() => this.positions.save(this.agentId, moved))
      .catch((error) => this.log(`feed position not saved: ${error.message}`));
  }

  /** Reads what the handoff delivered and acknowledges it with the digest of exactly what was read. */
  private async acknowledge(handoffId: string): Promise<void> {
    const stop = this.following.signal;
    const delivery = await untilAnswered(() => this.api.delivery(handoffId), stop);
    if (!delivery || delivery.acknowledged || delivery.withdrawnAt) return;
    await this.options.onDelivery?.(delivery);
    const answer = await untilAnswered(() => this.api.acknowledge(handoffId, delivery.values), stop);
    this.log(
      answer.ok
        ? `acknowledged what handoff ${handoffId} delivered`
        : `receipt of handoff ${handoffId} refused: ${answer.refusal.code}`,
    );
  }

  private takeOffers(): void {
    while (this.runs.size < (this.options.concurrency ?? 1) && this.offers.length > 0) {
      const offer = this.offers.shift()!;
      const taskId = offer.task!.taskId;
      const slot: Slot = { run: null, done: Promise.resolve() };
      this.runs.set(taskId, slot);
      slot.done = this.claimAndRun(taskId, slot)
        .then(
          (handled) => {
            if (handled) this.finish(offer.seq);
          },
          (error) => this.log(`task ${taskId}: ${error.message}`),
        )
        .finally(() => {
          this.runs.delete(taskId);
          if (!this.following.signal.aborted) this.takeOffers();
        });
    }
  }

  /** False when the worker stopped before claiming: the offer stays unhandled (a restart sees it again). */
  private async claimAndRun(taskId: string, slot: Slot): Promise<boolean> {
    if (this.following.signal.aborted) return false;
    const claimed = await untilAnswered(() => this.api.claim(taskId), this.following.signal);
    if ('refusal' in claimed) {
      this.log(`task ${taskId} not claimed: ${claimed.refusal.code}`);
      return true;
    }
    this.log(`claimed task ${taskId} of handoff ${claimed.task.handoffId}`);
    slot.run = new TaskRun(claimed.task, claimed.token, this.api, this.log, this.abandon.signal);
    await slot.run.run(this.options.handle);
    return true;
  }
}

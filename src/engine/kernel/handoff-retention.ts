import { type Clock, repeatEvery } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { Topic } from '../shared/topic.js';
import type { HandoffStore } from './ports/handoff-store.js';

/** How long finished handoffs are kept, and how the sweep that deletes older ones paces itself. */
export interface RetentionSettings {
  /** Production handoffs finished longer ago than this are deleted; 0 keeps them forever. */
  finishedAgeMs: number;
  /** The same for reliability-test handoffs. */
  testFinishedAgeMs: number;
  /** Handoffs deleted per store call: each call is one short transaction. */
  batchSize: number;
  /** How often the sweep runs. */
  intervalMs: number;
}

export const KEEP_EVERYTHING: RetentionSettings = {
  finishedAgeMs: 0,
  testFinishedAgeMs: 0,
  batchSize: 200,
  intervalMs: 60_000,
};

/** What one sweep deleted. */
export interface RetentionSweep {
  production: number;
  test: number;
}

/** Lets other work (requests, steps) run between two batches. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Records a module keeps per handoff that are no use without it (agent tasks, inbox deliveries). */
export interface HandoffDependents {
  /** Deletes the records of these handoffs; called before the handoffs themselves go. */
  deleteOfHandoffs(handoffIds: readonly string[]): Promise<number>;
}

/** What retention deletes from: the handoffs, and what modules keep per handoff. */
export interface RetainedStores {
  handoffs: HandoffStore;
  dependents: readonly HandoffDependents[];
}

/**
 * Deletes finished handoffs older than the settings allow, with their events, agent tasks and inbox
 * deliveries, in batches of `batchSize`, yielding between batches so a large backlog never holds the
 * store for long. Runs every `intervalMs` on the clock once started; `swept` tells who waits (tests,
 * logs) what went. Agent feed entries (each agent's gapless log) and validation sessions (their
 * figures are validation metrics) stay.
 */
export class HandoffRetention {
  readonly swept = new Topic<RetentionSweep>();
  private stopSweeping: (() => void) | null = null;
  private stopped = false;
  /** The sweep in progress, if any: stop() waits for its batch, so the store is never closed under one. */
  private running: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly stores: RetainedStores,
    private readonly settings: RetentionSettings,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  get enabled(): boolean {
    return this.settings.finishedAgeMs > 0 || this.settings.testFinishedAgeMs > 0;
  }

  start(): void {
    if (!this.enabled || this.stopSweeping) return;
    this.stopSweeping = repeatEvery(this.clock, this.settings.intervalMs, async () => {
      this.running = this.sweep().catch((error) => {
        this.logger.warn({ err: error }, 'handoff retention sweep failed; it runs again at the next interval');
      });
      await this.running;
    });
  }

  /** Stops sweeping; resolves once the batch in progress (if any) has committed. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopSweeping?.();
    await this.running;
  }

  /** One pass over production then test handoffs; returns (and publishes) how many went. */
  async sweep(): Promise<RetentionSweep> {
    const result: RetentionSweep = {
      production: await this.deleteOlderThan(this.settings.finishedAgeMs, false),
      test: await this.deleteOlderThan(this.settings.testFinishedAgeMs, true),
    };
    if (result.production + result.test > 0) this.logger.info(result, 'deleted finished handoffs past their retention');
    this.swept.publish(result);
    return result;
  }

  private async deleteOlderThan(ageMs: number, test: boolean): Promise<number> {
    if (ageMs <= 0) return 0;
    const finishedBefore = this.clock.now() - ageMs;
    let deleted = 0;
    while (!this.stopped) {
      const ids = await this.stores.handoffs.finishedBefore({ finishedBefore, test, limit: this.settings.batchSize });
      if (ids.length === 0) break;
      // What hangs off the handoffs first: a crash in between leaves handoffs the next sweep finds again, never orphans.
      for (const dependents of this.stores.dependents) await dependents.deleteOfHandoffs(ids);
      const gone = await this.stores.handoffs.deleteFinished(ids);
      deleted += gone;
      // A short batch was the last; one that deleted nothing (another process got there first) ends this pass too.
      if (ids.length < this.settings.batchSize || gone === 0) break;
      await nextTurn();
    }
    return deleted;
  }
}

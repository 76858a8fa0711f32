import { type Clock, systemClock } from '../shared/clock.js';
import { type Logger, silentLogger } from '../shared/logger.js';
import { type Random, randomToken, systemRandom } from '../shared/random.js';
import { EventBus } from './events/event-bus.js';
import { HandoffSignals } from './events/handoff-signals.js';
import { LeasedWork } from './leases/leased-work.js';
import type { CommittedHandoffEvents } from './ports/committed-events.js';
import type { HandoffChangeFeed, HandoffStore } from './ports/handoff-store.js';
import type { ProcedureStore } from './ports/procedure-store.js';

/** The stores the kernel itself uses; `Other`: what the change feed also carries for modules. */
export interface KernelStores<Other = never> {
  /**
   * `exclusive`: only this process opens the store, so a lease held by anyone else is stale (a
   * crashed predecessor). `shared`: other processes may run handoffs on it at the same time.
   */
  readonly sharing: 'exclusive' | 'shared';
  readonly handoffs: HandoffStore;
  /** What other processes commit; null when none can (an exclusive store). */
  readonly handoffChanges: HandoffChangeFeed<Other> | null;
  readonly procedures: ProcedureStore;
  /** Every handoff event in commit order; null where the store keeps no such order. */
  readonly committedEvents: CommittedHandoffEvents | null;
}

export interface KernelBaseOptions<Other> {
  stores: KernelStores<Other>;
  /** This process's identity in leases (default: pid and a random token). */
  owner?: string;
  /** How long a lease lasts without renewal (default 15 s). */
  leaseMs?: number;
  /** Whether a lease owner is known to be gone (a dead process): its leases are taken at once. */
  isOwnerGone?: (owner: string) => boolean;
  clock?: Clock;
  random?: Random;
  logger?: Logger;
}

/**
 * What every part of the engine shares and no part owns: time, chance, the log, the stores, the event
 * bus, the leases this process holds, and the way to wake a waiting handoff. Modules that the kernel
 * needs (for step kinds, checks) are wired on this before the kernel itself; see engine.ts.
 */
export interface KernelBase<Other = never> {
  readonly stores: KernelStores<Other>;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
  readonly bus: EventBus;
  readonly leases: LeasedWork;
  readonly signals: HandoffSignals;
}

export function createKernelBase<Other>(options: KernelBaseOptions<Other>): KernelBase<Other> {
  const clock = options.clock ?? systemClock;
  const random = options.random ?? systemRandom;
  const logger = options.logger ?? silentLogger;
  const bus = new EventBus();
  const leases = new LeasedWork({
    owner: options.owner ?? `${process.pid}-${randomToken(random, 8)}`,
    leaseMs: options.leaseMs ?? 15_000,
    clock,
    logger,
    exclusiveStore: options.stores.sharing === 'exclusive',
    isOwnerGone: options.isOwnerGone,
  });
  return {
    stores: options.stores,
    clock,
    random,
    logger,
    bus,
    leases,
    signals: new HandoffSignals(options.stores.handoffs, bus, clock),
  };
}

import { type Clock, repeatEvery } from '../../shared/clock.js';
import type { Logger } from '../../shared/logger.js';

/** How one kind of leased work (handoffs, webhook subscriptions, bulk operations) extends its leases. */
export interface LeaseRenewer {
  /** Extends this process's leases on `ids` until `expiresAt`; resolves with the ids it no longer holds. */
  renew(ids: string[], expiresAt: number): Promise<string[]>;
}

export interface LeasedWorkOptions {
  /** This process's name in every lease it takes. */
  owner: string;
  /** How long a lease lasts without renewal. */
  leaseMs: number;
  clock: Clock;
  logger: Logger;
  /** Only this process opens the store: a lease held by anyone else is a dead predecessor's. */
  exclusiveStore: boolean;
  /** Whether a lease owner is known to be gone (a dead process on this machine). */
  isOwnerGone?: (owner: string) => boolean;
}

/** Renewals run this often: three chances before a lease runs out, and never busier than every 50 ms. */
export function renewalIntervalMs(leaseMs: number): number {
  return Math.max(50, Math.floor(leaseMs / 3));
}

/** The leases this process holds of one kind, and what to do when one is lost. */
export class LeaseKind {
  private readonly held = new Map<string, () => void>();

  constructor(
    readonly name: string,
    private readonly renewer: LeaseRenewer,
  ) {}

  /** From now on the lease on `id` is renewed with the others; `onLost` runs if another process takes it. */
  hold(id: string, onLost: () => void): void {
    this.held.set(id, onLost);
  }

  /** Stops renewing `id` (the work ended, or its lease was handed back). */
  release(id: string): void {
    this.held.delete(id);
  }

  holds(id: string): boolean {
    return this.held.has(id);
  }

  get ids(): string[] {
    return [...this.held.keys()];
  }

  /** Renews every lease held in one batch; stops the work whose lease was lost. */
  async renew(expiresAt: number): Promise<void> {
    if (this.held.size === 0) return;
    const lost = await this.renewer.renew(this.ids, expiresAt);
    for (const id of lost) {
      const onLost = this.held.get(id);
      this.held.delete(id);
      onLost?.();
    }
  }
}

/**
 * Every lease this process holds, of every kind, in one place (shaped like BullMQ's LockManager):
 * a map per kind of what is held, one timer that renews each kind in one batch, a lost lease that
 * stops its work, and the one rule for taking over a lease someone else holds.
 */
export class LeasedWork {
  readonly owner: string;
  readonly leaseMs: number;
  readonly renewEveryMs: number;
  private readonly kinds: LeaseKind[] = [];

  constructor(private readonly options: LeasedWorkOptions) {
    this.owner = options.owner;
    this.leaseMs = options.leaseMs;
    this.renewEveryMs = renewalIntervalMs(options.leaseMs);
  }

  /** Registers a kind of leased work; its leases are renewed with the others once held. */
  kind(name: string, renewer: LeaseRenewer): LeaseKind {
    const kind = new LeaseKind(name, renewer);
    this.kinds.push(kind);
    return kind;
  }

  /** When a lease taken or renewed now runs out. */
  expiresAt(now = this.options.clock.now()): number {
    return now + this.leaseMs;
  }

  /**
   * Whether a lease `holder` holds may be taken before it runs out: in a store only this process
   * opens (a holder is a dead predecessor), or when the holder is known to be gone.
   */
  mayTakeOver(holder: string | null): boolean {
    if (holder === null || holder === this.owner) return true;
    return this.options.exclusiveStore || (this.options.isOwnerGone?.(holder) ?? false);
  }

  /** Whether only this process opens the store. */
  get exclusiveStore(): boolean {
    return this.options.exclusiveStore;
  }

  /** Renews every held lease every renewEveryMs until the returned stop runs. */
  start(): () => void {
    return repeatEvery(this.options.clock, this.renewEveryMs, () => this.renewAll());
  }

  /** One round: each kind in one batch; a kind whose renewal failed is tried again next round. */
  async renewAll(): Promise<void> {
    const expiresAt = this.expiresAt();
    for (const kind of this.kinds) {
      try {
        await kind.renew(expiresAt);
      } catch (error) {
        this.options.logger.warn({ err: error, kind: kind.name }, 'lease renewal failed; trying again next round');
      }
    }
  }
}

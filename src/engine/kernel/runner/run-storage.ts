import type { Clock } from '../../shared/clock.js';
import type { EventBus } from '../events/event-bus.js';
import { type Handoff, isFinal } from '../handoff/handoff.js';
import { isRefused, type TransitionResult } from '../handoff/handoff-transitions.js';
import type { HandoffStore, OutOfBandRequests } from '../ports/handoff-store.js';
import { dueAtOf } from '../scheduler/due-at.js';
import type { ActiveRun, Change, Parked } from './active-run.js';

/** Our compare-and-set lost: another process owns the handoff now. Stop touching it. */
export class LeaseLostError extends Error {
  constructor(id: string) {
    super(`lease on handoff ${id} lost`);
    this.name = 'LeaseLostError';
  }
}

export interface RunStorageOptions {
  store: HandoffStore;
  clock: Clock;
  /** This process's identity in leases. */
  owner: string;
  bus: EventBus;
  /** Told of every handoff a run brings to a final status. */
  onFinished?(handoff: Handoff): void;
  /** A cancel the store says was recorded, which the run has not heard of yet. */
  onCancel(id: string, reason: string): void;
}

/**
 * How a run stores its changes (RunParts.commit, rest and suspend): one at a time, each computed from the
 * state the one before left (several attempts of a handoff may end at once), each one compare-and-set
 * guarded by version and lease that also hands back the requests recorded meanwhile.
 */
export class RunStorage {
  constructor(private readonly options: RunStorageOptions) {}

  /** See RunParts.commit. */
  commit(run: ActiveRun, change: Change): Promise<boolean> {
    return this.inTurn(run, () => this.commitNow(run, change));
  }

  /** See RunParts.rest. */
  rest(run: ActiveRun, change: Change): Promise<boolean> {
    return this.inTurn(run, () => this.restNow(run, change));
  }

  /** See RunParts.suspend. */
  suspend(run: ActiveRun, index: number, change: Change): Promise<Parked> {
    return this.inTurn(run, () => this.suspendNow(run, index, change));
  }

  /** Runs `work` once every change the run asked to store before it has been stored: one at a time, in order. */
  private inTurn<T>(run: ActiveRun, work: () => Promise<T>): Promise<T> {
    const result = run.commits.then(work);
    run.commits = result.catch(() => undefined);
    return result;
  }

  /**
   * Stores a transition (see handoff-transitions.ts), computed from the state as it is now, as one
   * compare-and-set, keeping the lease unless the status is final or PAUSED. The store also tells of
   * cancels and signals written meanwhile. False when a recorded cancel refused the change (then
   * `run.cancelReason` is set and the caller ends the handoff another way); a lost guard throws
   * LeaseLostError. A change that finds nothing to store stores nothing (true).
   */
  private async commitNow(run: ActiveRun, change: Change): Promise<boolean> {
    if (run.rested) throw new Error(`handoff ${run.handoff.id}: a change was asked for after the run handed it back`);
    const transition = change(run.handoff);
    if (transition === null) return true;
    const { next } = this.checked(run, transition);
    const resting = isFinal(next.status) || next.status === 'PAUSED';
    return (await this.store(run, transition, resting ? { dueAt: null } : undefined)) === 'APPLIED';
  }

  /** See RunParts.rest. */
  private async restNow(run: ActiveRun, change: Change): Promise<boolean> {
    const transition = change(run.handoff);
    if (transition === null) throw new Error(`handoff ${run.handoff.id}: nothing to store when handing it back`);
    const { next, events } = this.checked(run, transition);
    const dueAt = dueAtOf(next, this.options.clock.now());
    const stored = await this.store(run, transition, { dueAt, requestsSeen: run.signals.rev });
    if (stored === 'APPLIED') {
      run.rested = true;
      if (dueAt !== null) this.options.bus.dueAt.publish(dueAt);
      return true;
    }
    // Something arrived meanwhile: the change is stored without letting go (if it records anything), and looked at again.
    if (stored === 'REQUESTS_CHANGED' && events.length > 0) await this.commitNow(run, () => transition);
    return false;
  }

  /** See RunParts.suspend. */
  private async suspendNow(run: ActiveRun, index: number, change: Change): Promise<Parked> {
    const transition = change(run.handoff);
    if (transition === null) return 'KEPT';
    const { next } = this.checked(run, transition);
    const othersGoOn = run.startedHere.size > 0 || [...run.flying].some((other) => other !== index);
    if (othersGoOn || !run.idle(next)) {
      await this.commitNow(run, () => transition);
      return 'KEPT';
    }
    return (await this.restNow(run, () => transition)) ? 'RESTED' : 'LOOK_AGAIN';
  }

  private checked(run: ActiveRun, transition: TransitionResult) {
    // The runner only asks for transitions its own state allows: a refusal here is a bug, not a race.
    if (isRefused(transition)) throw new Error(`handoff ${run.handoff.id}: ${transition.refused.message}`);
    return transition;
  }

  private async store(
    run: ActiveRun,
    transition: TransitionResult,
    release: { dueAt: number | null; requestsSeen?: number } | undefined,
  ): Promise<'APPLIED' | 'CANCEL_REQUESTED' | 'REQUESTS_CHANGED'> {
    const { next, events, writesMetadata } = this.checked(run, transition);
    const { store, clock, owner, bus } = this.options;
    const stored = await store.transition(next, events, clock.now(), owner, { writesMetadata, release });
    if (!stored.applied && stored.reason !== 'CANCEL_REQUESTED' && stored.reason !== 'REQUESTS_CHANGED')
      throw new LeaseLostError(next.id);
    if (stored.applied) run.handoff = next;
    this.absorb(run, stored.requests);
    if (!stored.applied) return stored.reason;
    bus.committed(stored.events);
    if (isFinal(next.status)) this.options.onFinished?.(next);
    return 'APPLIED';
  }

  private absorb(run: ActiveRun, requests: OutOfBandRequests): void {
    const seen = run.signals.rev;
    run.signals.recordAll(requests);
    if (run.signals.rev !== seen) run.nudge.nudge();
    if (requests.cancelRequest && run.cancelReason === null)
      this.options.onCancel(run.handoff.id, requests.cancelRequest.reason);
  }
}

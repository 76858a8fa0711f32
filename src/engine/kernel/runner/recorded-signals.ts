import type { OutOfBandRequests } from '../ports/handoff-store.js';

/**
 * The signals recorded for one running handoff, by name, and the requests' rev they were read at.
 * Names are user text (step ids), so they are keys of a Map, never of a plain object: a step named
 * `toString` or `constructor` has no signal until one is recorded for it.
 */
export class RecordedSignals {
  private readonly received = new Map<string, unknown>();
  /** The requests' rev read last (see OutOfBandRequests): a release expects it unchanged. */
  rev: number;

  /** `counts`: whether a recorded payload may answer a wait (a step signal of an earlier run may not). */
  constructor(
    requests: OutOfBandRequests,
    private readonly counts: (payload: unknown) => boolean,
  ) {
    this.rev = requests.rev;
    this.recordAll(requests);
  }

  /** Records one signal heard of (from this process, or the change feed). */
  record(name: string, payload: unknown): void {
    if (this.counts(payload)) this.received.set(name, payload);
  }

  /** Records what a store read returned (own properties only), and its rev. */
  recordAll(requests: Pick<OutOfBandRequests, 'signals'> & { rev?: number }): void {
    for (const [name, payload] of Object.entries(requests.signals)) this.record(name, payload);
    if (requests.rev !== undefined) this.rev = Math.max(this.rev, requests.rev);
  }

  /**
   * Whether a signal `name` is recorded: one function for the whole run, handed to every plan made of it
   * (a closure made per plan, several times per step, was a measurable share of a short step).
   */
  readonly has = (name: string): boolean => this.received.get(name) !== undefined;

  /** The payload of the signal `name`, or undefined when none is recorded. */
  get(name: string): unknown {
    return this.received.get(name);
  }
}

import type { Clock } from '../../shared/clock.js';
import type { HandoffStore } from '../ports/handoff-store.js';
import type { EventBus } from './event-bus.js';

/**
 * How anyone tells a handoff that what it waits for has come (an agent task's outcome, a receipt, an
 * approval): the signal is recorded in the store, which makes a waiting handoff due, and this
 * process's runner and scheduler hear of it on the bus; other processes through the change feed.
 */
export class HandoffSignals {
  constructor(
    private readonly store: HandoffStore,
    private readonly bus: EventBus,
    private readonly clock: Clock,
  ) {}

  /** Records the signal `name` on an unfinished handoff; false when it is finished or unknown. */
  async wake(handoffId: string, name: string, payload: unknown): Promise<boolean> {
    if (!(await this.store.recordSignal(handoffId, name, payload, this.clock.now()))) return false;
    this.bus.requests.publish({ kind: 'signal', handoffId, name, payload, local: true });
    return true;
  }
}

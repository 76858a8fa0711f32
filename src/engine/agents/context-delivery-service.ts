import type { Page, PageRequest } from '../kernel/ports/page.js';
import type { Actor } from '../shared/actor.js';
import type { Clock } from '../shared/clock.js';
import { fail, type Outcome, ok } from '../shared/user-error.js';
import type { AgentFeedRecorder } from './agent-feed-service.js';
import type { InboxStore } from './agent-stores.js';
import { type ContextDelivery, receiptSignalName } from './context-delivery.js';

export interface ContextDeliveryServiceOptions {
  inbox: InboxStore;
  feed: AgentFeedRecorder;
  /** Wakes a transfer_context step waiting for this receipt (records the signal on the handoff). */
  wake(handoffId: string, name: string, payload: unknown): Promise<boolean>;
  clock: Clock;
}

/** What agents have been handed (their inboxes), and their receipts of it. */
export class ContextDeliveryService {
  constructor(private readonly options: ContextDeliveryServiceOptions) {}

  get(agentId: string, handoffId: string): Promise<ContextDelivery | null> {
    return this.options.inbox.get(agentId, handoffId);
  }

  /** The agent's deliveries, newest first. */
  page(agentId: string, request: PageRequest): Promise<Page<ContextDelivery>> {
    return this.options.inbox.page(agentId, request);
  }

  count(agentId: string): Promise<number> {
    return this.options.inbox.count(agentId);
  }

  /**
   * Records that the agent read exactly what its delivery holds: `digest` must be the SHA-256 of
   * the canonical JSON of the delivery's values as the agent computed it from what it read. A
   * wrong digest is refused and changes nothing. Acknowledging again is harmless.
   */
  async acknowledge(
    agentId: string,
    handoffId: string,
    digest: string,
    actor: Actor,
  ): Promise<Outcome<ContextDelivery>> {
    const { inbox, feed, wake, clock } = this.options;
    const current = await inbox.get(agentId, handoffId);
    if (!current)
      return fail('NOT_FOUND', `Handoff "${handoffId}" delivered nothing to agent ${agentId}`, ['input', 'handoffId']);
    if (current.withdrawnAt !== null)
      return fail('INVALID_STATE', `The delivery of handoff "${handoffId}" was withdrawn by a rollback`, [
        'input',
        'handoffId',
      ]);
    const acknowledged =
      current.digest === digest.toLowerCase()
        ? await inbox.acknowledge(agentId, handoffId, current.digest, clock.now(), actor.keyName)
        : null;
    if (!acknowledged) {
      return fail(
        'DIGEST_MISMATCH',
        'The digest does not match what the delivery holds: compute the SHA-256 (hex) of the canonical JSON of its values (object keys sorted at every level, no spaces), as read now',
        ['input', 'digest'],
      );
    }
    await feed.record(agentId, [
      {
        type: 'CONTEXT_ACKNOWLEDGED',
        handoffId,
        taskId: null,
        step: null,
        message: `receipt of handoff ${handoffId} acknowledged by ${actor.keyName}`,
        data: { digest: acknowledged.digest },
      },
    ]);
    await wake(handoffId, receiptSignalName(acknowledged.digest), { acknowledgedBy: actor.keyName });
    return ok(acknowledged);
  }
}

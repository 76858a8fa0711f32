import type { StepKindHandler } from '../kernel/steps/step-kind.js';
import { StepFailure, stringList } from '../kernel/steps/step-kind.js';
import { payloadDigest as payloadDigestOf } from '../shared/canonical-digest.js';
import type { Clock } from '../shared/clock.js';
import type { AgentFeedRecorder } from './agent-feed-service.js';
import type { InboxStore } from './agent-stores.js';
import { receiptSignalName } from './context-delivery.js';

const keysProblem = (params: Record<string, unknown>) =>
  stringList(params.keys)?.length ? [] : ['params.keys must be a non-empty list of context keys'];

/** Delivers into and takes back from agents' inboxes, telling each agent in its feed. */
export class Inboxes {
  constructor(
    private readonly inbox: InboxStore,
    private readonly feed: AgentFeedRecorder,
    private readonly clock: Clock,
  ) {}

  async deliver(agent: string, handoffId: string, values: Record<string, unknown>): Promise<string> {
    const delivery = await this.inbox.deliver(agent, handoffId, values, this.clock.now(), payloadDigestOf);
    const keys = Object.keys(values);
    await this.feed.record(agent, [
      {
        type: 'CONTEXT_DELIVERED',
        handoffId,
        taskId: null,
        step: null,
        message: `handoff ${handoffId} delivered ${keys.join(', ') || 'no keys'}`,
        data: { keys, digest: delivery.digest },
      },
    ]);
    return delivery.digest;
  }

  async withdraw(agent: string, handoffId: string, keys: string[]): Promise<void> {
    const delivery = await this.inbox.withdraw(agent, handoffId, keys, this.clock.now(), payloadDigestOf);
    if (!delivery) return;
    await this.feed.record(agent, [
      {
        type: 'CONTEXT_WITHDRAWN',
        handoffId,
        taskId: null,
        step: null,
        message: `handoff ${handoffId} took back ${keys.join(', ')}`,
        data: { keys, digest: delivery.digest },
      },
    ]);
  }
}

/**
 * transfer_context copies the declared keys of the handoff's context (its metadata) into the target
 * agent's inbox and records their digest, so later rules can check what arrived. With
 * params.awaitReceipt, the step then waits (within its timeout, holding no slot) until the target
 * acknowledges the delivery with that digest (acknowledgeDelivery). revert_context, its undo,
 * removes the keys from the target agent's inbox.
 */
export function contextStepKinds(inboxes: Inboxes): {
  transfer_context: StepKindHandler;
  revert_context: StepKindHandler;
} {
  return {
    transfer_context: {
      waitingFor: (params) => (params.awaitReceipt === true ? 'the target agent to acknowledge the delivery' : null),
      checkParams: (params) => [
        ...keysProblem(params),
        ...(params.awaitReceipt === undefined || typeof params.awaitReceipt === 'boolean'
          ? []
          : ['params.awaitReceipt must be true or false']),
      ],
      async run(execution) {
        const { handoff, action, resumed } = execution;
        if (!handoff.targetAgent)
          throw new StepFailure('transfer_context needs a targetAgent', { code: 'MISSING_TARGET' });
        const output =
          (resumed?.data?.output as Record<string, unknown> | undefined) ?? (await transfer(inboxes, execution));
        if (action.params.awaitReceipt !== true) return output;
        const receipt = execution.recorded(receiptSignalName(String(output.digest))) as
          | { acknowledgedBy?: string }
          | undefined;
        if (receipt === undefined)
          return execution.suspend({ on: receiptSignalName(String(output.digest)), data: { output } });
        return { ...output, acknowledgedBy: receipt?.acknowledgedBy ?? null };
      },
    },
    revert_context: {
      checkParams: keysProblem,
      async run({ handoff, action }) {
        if (!handoff.targetAgent) return null;
        await inboxes.withdraw(handoff.targetAgent, handoff.id, stringList(action.params.keys)!);
        return { withdrawn: action.params.keys };
      },
    },
  };
}

/** Delivers the declared keys present in the context; what it delivered and what was missing. */
async function transfer(
  inboxes: Inboxes,
  { handoff, action }: Parameters<StepKindHandler['run']>[0],
): Promise<Record<string, unknown>> {
  const keys = stringList(action.params.keys)!;
  // Own properties only: a key such as "toString" is in the context only if the client put it there.
  const present = keys.filter((key) => Object.hasOwn(handoff.metadata, key));
  const values = Object.fromEntries(present.map((key) => [key, handoff.metadata[key]]));
  const digest = await inboxes.deliver(handoff.targetAgent!, handoff.id, values);
  return { keys: present, missing: keys.filter((key) => !Object.hasOwn(handoff.metadata, key)), digest };
}

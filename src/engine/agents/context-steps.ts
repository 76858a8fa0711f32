import { StepFailure, type StepKindHandler, stringList } from '../kernel/steps/step-kind.js';
import { receiptSignalName } from './context-delivery.js';

const keysProblem = (params: Record<string, unknown>) =>
  stringList(params.keys)?.length ? [] : ['params.keys must be a non-empty list of context keys'];

/**
 * Copies the declared keys of the handoff's context (its metadata) into the target agent's
 * inbox and records their digest, so later rules can check what arrived. With
 * params.awaitReceipt, the step then waits (within its timeout) until the target acknowledges
 * the delivery with that digest (acknowledgeDelivery).
 */
export const transferContextStep: StepKindHandler = {
  kind: 'transfer_context',
  checkParams: (params) => [
    ...keysProblem(params),
    ...(params.awaitReceipt === undefined || typeof params.awaitReceipt === 'boolean'
      ? []
      : ['params.awaitReceipt must be true or false']),
  ],
  async run({ handoff, action, services, awaitSignal }) {
    if (!handoff.targetAgent) throw new StepFailure('transfer_context needs a targetAgent', { code: 'MISSING_TARGET' });
    const keys = stringList(action.params.keys)!;
    // Own properties only: a key such as "toString" is in the context only if the client put it there.
    const present = keys.filter((key) => Object.hasOwn(handoff.metadata, key));
    const values = Object.fromEntries(present.map((key) => [key, handoff.metadata[key]]));
    const digest = await services.inbox.deliver(handoff.targetAgent, handoff.id, values);
    const output = { keys: present, missing: keys.filter((key) => !Object.hasOwn(handoff.metadata, key)), digest };
    if (action.params.awaitReceipt !== true) return output;
    const receipt = (await awaitSignal(receiptSignalName(digest))) as { acknowledgedBy?: string } | null;
    return { ...output, acknowledgedBy: receipt?.acknowledgedBy ?? null };
  },
};

/** The undo of transfer_context: removes the keys from the target agent's inbox. */
export const revertContextStep: StepKindHandler = {
  kind: 'revert_context',
  checkParams: keysProblem,
  async run({ handoff, action, services }) {
    if (!handoff.targetAgent) return null;
    await services.inbox.withdraw(handoff.targetAgent, handoff.id, stringList(action.params.keys)!);
    return { withdrawn: action.params.keys };
  },
};

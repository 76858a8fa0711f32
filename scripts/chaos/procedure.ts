/**
 * The procedures chaos handoffs run: CHAOS, a chain of webhook steps (and undos) against the receiver with a
 * wait that cancels can land in; CHAOS_GRAPH, the same kinds as a graph (steps at once, a step run once per
 * item of the context's parts, a sub-handoff of CHAOS_CHILD, a join); CHAOS_CHILD, what the graph delegates.
 */

/** A webhook action of the procedure: the step it is or undoes, and the attempts its policy allows. */
export interface WebhookAction {
  step: string;
  compensation: boolean;
  /** The step's retry.maxAttempts (a compensation has its step's policy). */
  maxAttempts: number;
}

export const WEBHOOK_ACTIONS: ReadonlyMap<string, WebhookAction> = new Map([
  ['reserve', { step: 'reserve', compensation: false, maxAttempts: 3 }],
  ['release', { step: 'reserve', compensation: true, maxAttempts: 3 }],
  ['charge', { step: 'charge', compensation: false, maxAttempts: 3 }],
  ['refund', { step: 'charge', compensation: true, maxAttempts: 3 }],
  ['notify', { step: 'notify', compensation: false, maxAttempts: 2 }],
  ['pack', { step: 'pack', compensation: false, maxAttempts: 3 }],
  ['unpack', { step: 'pack', compensation: true, maxAttempts: 3 }],
  ['inspect', { step: 'inspect', compensation: false, maxAttempts: 3 }],
  ['uninspect', { step: 'inspect', compensation: true, maxAttempts: 3 }],
  ['ship', { step: 'ship', compensation: false, maxAttempts: 2 }],
  ['child_work', { step: 'child_work', compensation: false, maxAttempts: 3 }],
  ['child_undo', { step: 'child_work', compensation: true, maxAttempts: 3 }],
]);

/** The procedures a chaos run defines, in the order they must be created (a sub-handoff's procedure first). */
export const CHAOS_PROCEDURES = ['CHAOS', 'CHAOS_CHILD', 'CHAOS_GRAPH'] as const;
/** What the load starts (children are started by their parents). */
export const STARTED_PROCEDURES = ['CHAOS', 'CHAOS_GRAPH'] as const;

const retry = (step: string) => ({
  maxAttempts: WEBHOOK_ACTIONS.get(step)!.maxAttempts,
  initialDelayMs: 10,
  maxDelayMs: 40,
});

function hook(id: string, receiver: string, query = '') {
  return { id, name: id, kind: 'WEBHOOK', params: { url: `${receiver}/${id}${query}` }, timeoutMs: 5_000 };
}

/** createProcedure's inputs. `notify` and `ship` fail 2.5 times as often as the others, so rollbacks are common. */
export function chaosProcedures(receiver: string): Record<string, unknown>[] {
  return [chaosProcedure(receiver), childProcedure(receiver), graphProcedure(receiver)];
}

function childProcedure(receiver: string): Record<string, unknown> {
  return {
    id: 'CHAOS_CHILD',
    name: 'Chaos: the work a graph delegates',
    steps: [
      { ...hook('child_work', receiver), retry: retry('child_work'), compensation: hook('child_undo', receiver) },
      { id: 'child_settle', name: 'child settle', kind: 'DELAY', params: { ms: 20 }, timeoutMs: 5_000 },
    ],
  };
}

/** reserve, then at once: pack (once per part), inspect, delegate (a CHAOS_CHILD); then ship once all three are done. */
function graphProcedure(receiver: string): Record<string, unknown> {
  return {
    id: 'CHAOS_GRAPH',
    name: 'Chaos: a graph of webhooks, a list and a sub-handoff',
    steps: [
      { ...hook('reserve', receiver), retry: retry('reserve'), compensation: hook('release', receiver) },
      {
        ...hook('pack', receiver),
        after: ['reserve'],
        retry: retry('pack'),
        compensation: hook('unpack', receiver),
        forEach: { items: 'context.parts', maxConcurrent: 2 },
      },
      {
        ...hook('inspect', receiver),
        after: ['reserve'],
        retry: retry('inspect'),
        compensation: hook('uninspect', receiver),
      },
      {
        id: 'delegate',
        name: 'delegate',
        kind: 'SUB_HANDOFF',
        params: { procedureId: 'CHAOS_CHILD' },
        timeoutMs: 20_000,
        retry: { maxAttempts: 1 },
        after: ['reserve'],
      },
      { ...hook('ship', receiver, '?fail=2.5'), after: ['pack', 'inspect', 'delegate'], retry: retry('ship') },
    ],
  };
}

/** The CHAOS chain (see chaosProcedures). */
function chaosProcedure(receiver: string): Record<string, unknown> {
  return {
    id: 'CHAOS',
    name: 'Chaos: webhooks with undos',
    steps: [
      { ...hook('reserve', receiver), retry: retry('reserve'), compensation: hook('release', receiver) },
      { ...hook('charge', receiver), retry: retry('charge'), compensation: hook('refund', receiver) },
      { id: 'settle', name: 'settle', kind: 'DELAY', params: { ms: 30 }, timeoutMs: 5_000 },
      { ...hook('notify', receiver, '?fail=2.5'), retry: retry('notify') },
    ],
  };
}

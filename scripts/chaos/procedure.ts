/** The procedure every chaos handoff runs: webhook steps (and undos) against the receiver, and a wait that cancels can land in. */

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
]);

const retry = (step: string) => ({
  maxAttempts: WEBHOOK_ACTIONS.get(step)!.maxAttempts,
  initialDelayMs: 10,
  maxDelayMs: 40,
});

function hook(id: string, receiver: string, query = '') {
  return { id, name: id, kind: 'WEBHOOK', params: { url: `${receiver}/${id}${query}` }, timeoutMs: 5_000 };
}

/** createProcedure's input. `notify` fails 2.5 times as often as the others, so rollbacks are common. */
export function chaosProcedure(receiver: string): Record<string, unknown> {
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

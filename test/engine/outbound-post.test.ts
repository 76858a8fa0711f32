import type { LookupAddress } from 'node:dns';
import { afterEach, describe, expect, it } from 'vitest';
import { type HostLookup, OutboundRefused, postOutbound } from '../../src/engine/shared/outbound-post.js';
import type { OutboundPolicy } from '../../src/engine/shared/outbound-url.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

/** Where the server's own calls connect: to the address that was checked, never to a later DNS answer. */

const receivers: WebhookReceiver[] = [];
afterEach(async () => {
  for (const receiver of receivers.splice(0)) await receiver.close();
});

/** A resolver that answers each call with the next of `answers` (the last one again once they run out). */
function rebinding(...answers: LookupAddress[][]): HostLookup & { calls: number } {
  const lookup = async () => answers[Math.min(lookup.calls++, answers.length - 1)];
  lookup.calls = 0;
  return lookup;
}

const v4 = (address: string): LookupAddress => ({ address, family: 4 });
const body = { headers: { 'content-type': 'application/json' }, body: '{"ok":true}' };

describe('postOutbound', () => {
  it('connects to the address it checked: a second DNS answer (rebinding) is never asked for', async () => {
    const hooks = await startWebhookReceiver();
    receivers.push(hooks);
    const url = new URL(hooks.url.replace('127.0.0.1', 'hooks.example'));
    // The first answer is allowed (a private host, explicitly); any later one points somewhere nothing answers.
    const lookup = rebinding([v4('127.0.0.1')], [v4('10.255.255.1')]);
    const policy: OutboundPolicy = { allowHosts: ['hooks.example'], allowPrivate: ['hooks.example'] };
    const response = await postOutbound(url, body, policy, lookup);
    expect(response.status).toBe(200);
    expect(lookup.calls).toBe(1);
    expect(hooks.received.map((r) => [r.headers.host, r.body])).toEqual([[url.host, '{"ok":true}']]);
  });

  it.each([
    [[v4('93.184.216.34'), v4('127.0.0.1')], '127.0.0.1, a loopback address'],
    [[v4('169.254.169.254')], '169.254.169.254, a link-local address'],
    [[v4('10.0.0.7')], '10.0.0.7, a private address'],
    [[{ address: '::ffff:127.0.0.1', family: 6 }], '::ffff:127.0.0.1, a loopback address'],
    [[{ address: 'fd12::1', family: 6 }], 'fd12::1, a private address'],
    [[v4('0.0.0.0')], '0.0.0.0, an unspecified address'],
  ])('refuses a host any of whose addresses is not public (%j)', async (answer, named) => {
    const policy: OutboundPolicy = { allowHosts: ['hooks.example'], allowPrivate: false };
    const attempt = postOutbound(new URL('http://hooks.example/x'), body, policy, rebinding(answer));
    await expect(attempt).rejects.toThrow(OutboundRefused);
    await expect(attempt).rejects.toThrow(`host hooks.example resolves to ${named}`);
  });
});

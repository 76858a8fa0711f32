import type { LookupAddress } from 'node:dns';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/engine/shared/clock.js';
import { OutboundUrlRefused, outboundFetch } from '../../src/engine/shared/outbound-fetch.js';
import { type HostLookup, OutboundRefused } from '../../src/engine/shared/outbound-post.js';

/** The fetch A2A calls go through: the webhooks' outbound policy, with answers streamed as fetch Responses. */

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

async function serve(handler: http.RequestListener): Promise<number> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** A resolver that answers each call with the next of `answers` (the last one again once they run out). */
function rebinding(...answers: LookupAddress[][]): HostLookup & { calls: number } {
  const lookup = async () => answers[Math.min(lookup.calls++, answers.length - 1)];
  lookup.calls = 0;
  return lookup;
}

const loopback: LookupAddress = { address: '127.0.0.1', family: 4 };

function fetchFor(allowPrivate: boolean | string[], lookup: HostLookup) {
  return outboundFetch({
    policy: { allowHosts: ['agent.example'], allowPrivate },
    timeoutMs: 10_000,
    clock: systemClock,
    lookup,
  });
}

describe('outboundFetch', () => {
  it('connects to the address it checked, sends the method, headers and body, and hands back the answer', async () => {
    const seen: { method?: string; host?: string; type?: string; body: string }[] = [];
    const port = await serve((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        seen.push({ method: request.method, host: request.headers.host, type: request.headers['content-type'], body });
        response.writeHead(201, { 'content-type': 'application/json', 'x-one': 'a' }).end('{"ok":true}');
      });
    });
    const lookup = rebinding([loopback], [{ address: '10.255.255.1', family: 4 }]);
    const response = await fetchFor(['agent.example'], lookup)(`http://agent.example:${port}/a2a`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"jsonrpc":"2.0"}',
    });
    expect([response.status, response.headers.get('x-one'), await response.json()]).toEqual([201, 'a', { ok: true }]);
    expect(seen).toEqual([
      { method: 'POST', host: `agent.example:${port}`, type: 'application/json', body: '{"jsonrpc":"2.0"}' },
    ]);
    expect(lookup.calls).toBe(1);
  });

  it('refuses a host that resolves to a private address unless OUTBOUND_ALLOW_PRIVATE allows it', async () => {
    const attempt = fetchFor(false, rebinding([loopback]))('http://agent.example:9/a2a');
    await expect(attempt).rejects.toThrow(OutboundRefused);
    await expect(attempt).rejects.toThrow('host agent.example resolves to 127.0.0.1, a loopback address');
  });

  it('refuses a host not in the allow-list before resolving it, and a redirect', async () => {
    const lookup = rebinding([loopback]);
    await expect(fetchFor(true, lookup)('http://elsewhere.example/card')).rejects.toThrow(OutboundUrlRefused);
    expect(lookup.calls).toBe(0);
    const port = await serve((_request, response) => {
      response.writeHead(302, { location: 'http://169.254.169.254/' }).end();
    });
    await expect(fetchFor(true, lookup)(`http://agent.example:${port}/card`)).rejects.toThrow(
      /answered with a redirect \(302\)/,
    );
  });

  it('streams an event stream as it arrives', async () => {
    let finish: () => void = () => {};
    const port = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write('data: one\n\n');
      finish = () => response.end('data: two\n\n');
    });
    const response = await fetchFor(true, rebinding([loopback]))(`http://agent.example:${port}/stream`);
    const reader = response.body!.getReader();
    const first = await reader.read();
    // The first event is readable while the server still holds the stream open.
    expect(new TextDecoder().decode(first.value)).toBe('data: one\n\n');
    finish();
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
      rest += new TextDecoder().decode(chunk.value);
    expect(rest).toBe('data: two\n\n');
  });
});

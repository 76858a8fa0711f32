import { promises as dns, type LookupAddress } from 'node:dns';
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { nonPublicRange } from './address-range.js';
import { hostOf, mayBePrivate, type OutboundPolicy } from './outbound-url.js';

/** Resolves a host name to every address it has (dns.lookup's answer, in its order). */
export type HostLookup = (hostname: string) => Promise<LookupAddress[]>;

export const systemLookup: HostLookup = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

/** A call the policy refuses: where the host resolved, and why that is not allowed. Not worth retrying at once. */
export class OutboundRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutboundRefused';
  }
}

/**
 * The address to connect to for `url`: its host resolved, and refused (OutboundRefused) when any
 * answer is loopback, private, link-local, unspecified or reserved, unless OUTBOUND_ALLOW_PRIVATE
 * allows that host. Every answer is checked, not only the first: a name with one public and one
 * private address would otherwise reach the private one whenever the connection picked it.
 */
export async function resolveOutbound(
  url: URL,
  policy: OutboundPolicy,
  lookup: HostLookup = systemLookup,
): Promise<LookupAddress> {
  const host = hostOf(url);
  const addresses = await lookup(host);
  if (addresses.length === 0) throw new OutboundRefused(`host ${host} resolves to no address`);
  if (!mayBePrivate(policy, host)) {
    for (const { address } of addresses) {
      const range = nonPublicRange(address);
      if (range !== null) {
        throw new OutboundRefused(
          `host ${host} resolves to ${address}, ${/^[aeiou]/.test(range) ? 'an' : 'a'} ${range} address: set OUTBOUND_ALLOW_PRIVATE to call it`,
        );
      }
    }
  }
  return addresses[0];
}

export interface OutboundRequest {
  headers: Record<string, string>;
  body: string;
  signal?: AbortSignal;
}

export interface OutboundResponse {
  status: number;
  headers: IncomingHttpHeaders;
}

/** A lookup that answers `checked` whatever it is asked: the connection goes where the check looked. */
export function pinnedLookup(checked: LookupAddress): LookupFunction {
  return (_hostname, options, callback) => {
    // With autoSelectFamily (Node 20's default) net asks for every address at once.
    if ((options as { all?: boolean }).all) (callback as (e: null, a: LookupAddress[]) => void)(null, [checked]);
    else callback(null, checked.address, checked.family);
  };
}

/**
 * POSTs `request` to `url` after resolveOutbound checked where it goes, connecting to exactly that
 * address (TLS still verifies the certificate against the host name): a DNS answer that changes
 * between the check and the connection (rebinding) cannot redirect the call. No redirects are
 * followed; the response body is discarded. Rejects with OutboundRefused, a network error, or the
 * signal's reason.
 */
export async function postOutbound(
  url: URL,
  request: OutboundRequest,
  policy: OutboundPolicy,
  lookup: HostLookup = systemLookup,
): Promise<OutboundResponse> {
  request.signal?.throwIfAborted();
  const checked = await resolveOutbound(url, policy, lookup);
  request.signal?.throwIfAborted();
  const send = url.protocol === 'https:' ? https.request : http.request;
  return new Promise<OutboundResponse>((resolve, reject) => {
    const outgoing = send(url, {
      method: 'POST',
      headers: { ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) },
      lookup: pinnedLookup(checked),
      signal: request.signal,
    });
    outgoing.on('error', (error) => reject(request.signal?.aborted ? request.signal.reason : error));
    outgoing.on('response', (response) => {
      response.resume();
      resolve({ status: response.statusCode ?? 0, headers: response.headers });
    });
    outgoing.end(request.body);
  });
}

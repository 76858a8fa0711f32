import type { IncomingMessage, RequestListener } from 'node:http';
import { isIP } from 'node:net';
import { refuse } from './refuse.js';

/** `localhost`, `*.localhost`, 127.0.0.0/8 and ::1: names only this machine answers to. */
export function isLoopbackHostname(hostname: string): boolean {
  const name = hostname.toLowerCase().replace(/\.$/, '');
  return (
    name === 'localhost' ||
    name.endsWith('.localhost') ||
    /^127(\.\d{1,3}){3}$/.test(name) ||
    name === '[::1]' ||
    name === '::1'
  );
}

/** An IP address (`192.168.1.5`, `[fe80::1]`): a browser connects to it as written, so no page can rebind it. */
function isIpAddress(hostname: string): boolean {
  return isIP(hostname.replace(/^\[(.*)\]$/, '$1')) !== 0;
}

/** The host name of a `Host` header value (`name:port`, `[v6]:port`), or null when it is not one. */
function hostnameOf(host: string): string | null {
  try {
    return new URL(`http://${host}`).hostname;
  } catch {
    return null;
  }
}

export interface OriginPolicyOptions {
  /** CORS_ORIGINS: browser origins allowed whatever the server's own name. */
  allowedOrigins: readonly string[];
  /** API keys are required: a page cannot act without one, so the server's own origin is fine under any name. */
  keysRequired: boolean;
  /** ALLOWED_HOSTS: host names an open server also answers to, besides loopback names and IP addresses. */
  allowedHostNames: readonly string[];
}

/**
 * Which browser pages may drive the API, for every transport (HTTP, SSE, WebSocket upgrades).
 *
 * Browsers send `Origin` on POSTs and WebSocket upgrades and never apply CORS to the latter, so a
 * foreign origin is refused outright unless CORS_ORIGINS lists it. DNS rebinding makes a foreign page
 * *look* same-origin (evil.example resolves to 127.0.0.1 or the server's LAN address, so Origin and
 * Host both say evil.example): an open server therefore trusts only names nobody else can point at it —
 * loopback names, IP addresses, and the names ALLOWED_HOSTS lists. It applies that to `Host` as well, on
 * whatever interface it listens (HOST=0.0.0.0 too): that covers same-origin GETs, which carry no
 * `Origin`, from a rebound page. Clients outside a browser send no `Origin` and a `Host` naming what
 * they connected to. A server that requires keys accepts any name: a page cannot act without a key.
 */
/** Decisions remembered, by header pair: a server sees a handful (its names, a few origins). */
const REMEMBERED_DECISIONS = 256;

export class OriginPolicy {
  private readonly allowedHosts: Set<string>;
  private readonly allowedHostNames: Set<string>;
  /**
   * The decision depends on the two headers and the fixed options only, so it is remembered by header
   * pair: every request asks, and parsing its Host as a URL was the costliest part of the check. A
   * client sending ever new names only empties the memory (it stays bounded), never changes a decision.
   */
  private readonly decided = new Map<string, string | null>();

  constructor(private readonly options: OriginPolicyOptions) {
    this.allowedHostNames = new Set(options.allowedHostNames.map((name) => name.toLowerCase().replace(/\.$/, '')));
    this.allowedHosts = new Set(
      options.allowedOrigins.flatMap((origin) => {
        try {
          return [new URL(origin).host.toLowerCase()];
        } catch {
          return [];
        }
      }),
    );
  }

  /** Null when a request with these headers may be served, else why not (for the log and the answer). */
  refusal(origin: string | undefined, host: string | undefined): string | null {
    // Unambiguous: the origin's length says where it ends; an absent header and an empty one differ.
    const key = `${origin === undefined ? -1 : origin.length}:${origin ?? ''}${host === undefined ? '-' : `+${host}`}`;
    const known = this.decided.get(key);
    if (known !== undefined) return known;
    const decision = this.decide(origin, host);
    if (this.decided.size >= REMEMBERED_DECISIONS) this.decided.clear();
    this.decided.set(key, decision);
    return decision;
  }

  private decide(origin: string | undefined, host: string | undefined): string | null {
    const open = !this.options.keysRequired;
    if (origin !== undefined) {
      if (this.options.allowedOrigins.includes(origin)) return null;
      let parsed: URL;
      try {
        parsed = new URL(origin);
      } catch {
        return 'Origin not allowed';
      }
      if (host === undefined || parsed.host.toLowerCase() !== host.toLowerCase()) return 'Origin not allowed';
      if (open && !this.trustsName(parsed.hostname))
        return 'Origin not allowed: an open server trusts its own pages only under a loopback name, an IP address or ALLOWED_HOSTS (set CORS_ORIGINS)';
      return null;
    }
    if (open && host !== undefined && !this.allowedHosts.has(host.toLowerCase())) {
      const hostname = hostnameOf(host);
      if (hostname === null || !this.trustsName(hostname))
        return 'Host not allowed: an open server answers only to loopback names, IP addresses and ALLOWED_HOSTS';
    }
    return null;
  }

  /** A name no other site can point at this server (see the class comment). */
  private trustsName(hostname: string): boolean {
    return (
      isLoopbackHostname(hostname) ||
      isIpAddress(hostname) ||
      this.allowedHostNames.has(hostname.toLowerCase().replace(/\.$/, ''))
    );
  }

  refusalOf(req: IncomingMessage): string | null {
    return this.refusal(req.headers.origin, req.headers.host);
  }
}

/** Refuses (403) HTTP requests the policy does not allow, before anything reads them. */
export function withOriginPolicy(
  policy: OriginPolicy,
  handler: RequestListener,
  onRefused: (reason: string, req: IncomingMessage) => void = () => undefined,
): RequestListener {
  return (req, res) => {
    const refusal = policy.refusalOf(req);
    if (refusal === null) return handler(req, res);
    onRefused(refusal, req);
    refuse(res, 403, 'FORBIDDEN_ORIGIN', refusal);
  };
}

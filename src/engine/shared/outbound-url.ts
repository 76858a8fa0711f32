/** Where the server may send requests of its own (webhook steps and webhook subscriptions). */
export interface OutboundPolicy {
  /** WEBHOOK_ALLOW_HOSTS: the host names (or IP addresses) that may be called at all. */
  allowHosts: readonly string[];
  /**
   * OUTBOUND_ALLOW_PRIVATE: which of those hosts may resolve to a loopback, private, link-local or
   * otherwise non-public address — every one (`true`), these host names, or none (`false`).
   */
  allowPrivate: boolean | readonly string[];
}

/** Whether `text` holds a space or a control character (C0, DEL): `new URL` would quietly trim or percent-encode them. */
function hasSpaceOrControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code <= 0x20 || code === 0x7f) return true;
  }
  return false;
}

/**
 * The first check of a URL the server calls on its own: http or https, no spaces or control
 * characters anywhere (a leading space or a NUL would otherwise be trimmed or sent as `%00`), and
 * a host named in WEBHOOK_ALLOW_HOSTS, so an API caller cannot aim the server at anything else on
 * its network. Where the host resolves is checked when the call is made (see resolveOutbound).
 * `label` names the input in the problem text; `hostRefused` tells a refused host from a malformed URL.
 */
export function checkOutboundUrl(
  raw: unknown,
  allowList: readonly string[],
  label: string,
): { url?: URL; problem?: string; hostRefused?: boolean } {
  if (typeof raw !== 'string') return { problem: `${label} must be a string` };
  if (hasSpaceOrControl(raw)) return { problem: `${label} must not contain spaces or control characters` };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { problem: `${label} is not a valid URL` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { problem: `${label} must be http or https` };
  if (!allowList.includes(hostOf(url)) && !allowList.includes(url.hostname.toLowerCase())) {
    return { problem: `host ${url.hostname} is not in WEBHOOK_ALLOW_HOSTS`, hostRefused: true };
  }
  return { url };
}

/** The URL's host name as the settings spell it: lower case, an IPv6 address without its brackets. */
export function hostOf(url: URL): string {
  return url.hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1');
}

/** Whether `host` may resolve to a non-public address under `policy`. */
export function mayBePrivate(policy: OutboundPolicy, host: string): boolean {
  return policy.allowPrivate === true || (Array.isArray(policy.allowPrivate) && policy.allowPrivate.includes(host));
}

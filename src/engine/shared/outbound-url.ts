/**
 * The one policy for URLs the server calls on its own (webhook steps, webhook subscriptions): http or
 * https, and a host named in WEBHOOK_ALLOW_HOSTS, so an API caller cannot aim the server at
 * anything else on its network. `label` names the input in the problem text; `hostRefused` tells
 * a refused host from a malformed URL.
 */
export function checkOutboundUrl(
  raw: unknown,
  allowList: readonly string[],
  label: string,
): { url?: URL; problem?: string; hostRefused?: boolean } {
  if (typeof raw !== 'string') return { problem: `${label} must be a string` };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { problem: `${label} is not a valid URL` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { problem: `${label} must be http or https` };
  if (!allowList.includes(url.hostname.toLowerCase())) {
    return { problem: `host ${url.hostname} is not in WEBHOOK_ALLOW_HOSTS`, hostRefused: true };
  }
  return { url };
}

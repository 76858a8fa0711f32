/**
 * How long an HTTP `Retry-After` header asks to wait, in ms: delay-seconds or an HTTP date (RFC 9110
 * §10.2.3), measured from `now`. Null when absent or unreadable (the policy's back-off applies).
 */
export function retryAfterMs(header: string | null, now: number): number | null {
  if (header === null) return null;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

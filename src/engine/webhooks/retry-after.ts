/**
 * How long an HTTP `Retry-After` header asks to wait, in ms: delay-seconds or an HTTP date (RFC 9110
 * §10.2.3), measured from `now`. Null when absent or unreadable (the policy's back-off applies).
 */
export function retryAfterMs(header: string | null, now: number): number | null {
  if (header === null) return null;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // Every HTTP date form starts with the day's name ("Sun, 06 Nov 1994 08:49:37 GMT"); Date.parse alone takes "-5".
  if (!/^[A-Za-z]{3,9},? /.test(value)) return null;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

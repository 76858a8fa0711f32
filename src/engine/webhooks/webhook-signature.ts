import { createHmac, timingSafeEqual } from 'node:crypto';

/** The header every webhook POST carries: `t=<unix seconds>,v1=<hex HMAC-SHA256>`. */
export const SIGNATURE_HEADER = 'handoff-signature';

/** HMAC-SHA256 of `<t>.<body>` with the subscription's secret, hex: what `v1` holds. */
export function signatureOf(secret: string, timestampSeconds: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestampSeconds}.${body}`, 'utf8').digest('hex');
}

/** The header value for a POST of `body` at `nowMs`. */
export function signatureHeader(secret: string, nowMs: number, body: string): string {
  const t = Math.floor(nowMs / 1000);
  return `t=${t},v1=${signatureOf(secret, t, body)}`;
}

export type SignatureCheck =
  | { valid: true; timestampSeconds: number }
  | { valid: false; reason: 'MALFORMED' | 'MISMATCH' | 'TOO_OLD' };

/**
 * What a receiver does (docs/webhooks.md shows the same in a few lines): recompute the HMAC over the raw
 * body with the timestamp from the header, compare in constant time, and refuse a timestamp older
 * (or further ahead) than `toleranceSeconds` so a captured request cannot be replayed later.
 */
export function verifySignature(
  header: string | null | undefined,
  body: string,
  secret: string,
  nowMs: number,
  toleranceSeconds = 300,
): SignatureCheck {
  const parts = new Map((header ?? '').split(',').map((part) => part.trim().split('=', 2) as [string, string]));
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1');
  if (!Number.isInteger(t) || !v1 || !/^[0-9a-f]{64}$/.test(v1)) return { valid: false, reason: 'MALFORMED' };
  const expected = Buffer.from(signatureOf(secret, t, body), 'hex');
  if (!timingSafeEqual(expected, Buffer.from(v1, 'hex'))) return { valid: false, reason: 'MISMATCH' };
  if (Math.abs(nowMs / 1000 - t) > toleranceSeconds) return { valid: false, reason: 'TOO_OLD' };
  return { valid: true, timestampSeconds: t };
}

import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signatureHeader, verifySignature } from '../../src/engine/webhooks/webhook-signature.js';

const SECRET = 'whsec_test_0123456789abcdefghij';
const BODY = '{"id":"h1:1","type":"HANDOFF_CREATED"}';
const NOW = Date.UTC(2026, 0, 1, 12);

describe('webhook signatures', () => {
  it('signs "<t>.<body>" with HMAC-SHA256, as a receiver recomputes it with any HMAC library', () => {
    const header = signatureHeader(SECRET, NOW, BODY);
    const t = NOW / 1000;
    expect(header).toBe(`t=${t},v1=${createHmac('sha256', SECRET).update(`${t}.${BODY}`).digest('hex')}`);
    expect(verifySignature(header, BODY, SECRET, NOW + 1_000)).toEqual({ valid: true, timestampSeconds: t });
  });

  it('refuses another body, another secret, a malformed header, and a replay older than the tolerance', () => {
    const header = signatureHeader(SECRET, NOW, BODY);
    expect(verifySignature(header, `${BODY} `, SECRET, NOW)).toEqual({ valid: false, reason: 'MISMATCH' });
    expect(verifySignature(header, BODY, `${SECRET}x`, NOW)).toEqual({ valid: false, reason: 'MISMATCH' });
    expect(verifySignature('v1=abc', BODY, SECRET, NOW)).toEqual({ valid: false, reason: 'MALFORMED' });
    expect(verifySignature(undefined, BODY, SECRET, NOW)).toEqual({ valid: false, reason: 'MALFORMED' });
    expect(verifySignature(header, BODY, SECRET, NOW + 301_000)).toEqual({ valid: false, reason: 'TOO_OLD' });
    expect(verifySignature(header, BODY, SECRET, NOW + 299_000, 300).valid).toBe(true);
    expect(verifySignature(header, BODY, SECRET, NOW + 61_000, 60)).toEqual({ valid: false, reason: 'TOO_OLD' });
  });
});

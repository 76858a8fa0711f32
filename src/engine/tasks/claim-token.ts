import { createHash, randomBytes } from 'node:crypto';

/** Makes the secret a worker proves its claim on a task with. */
export type ClaimTokenSource = () => string;

/**
 * 256 bits from the operating system's CSPRNG, base64url. A claim token is a bearer secret for
 * one task (whoever holds it may complete or fail the task), so it must not be guessable from
 * other tokens: the engine's `Random` (Math.random, or a seeded mulberry32 in tests) is fast and
 * reproducible but predictable from its outputs, so it is not used here.
 */
export const secureClaimTokens: ClaimTokenSource = () => randomBytes(32).toString('base64url');

/** What the store keeps of a token: its SHA-256 (a leaked store cannot be used to act on tasks). */
export function claimTokenDigest(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

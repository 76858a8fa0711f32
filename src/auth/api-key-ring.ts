import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiKey } from '../config.js';
import type { Caller } from '../context.js';
import { bearerToken } from './credentials.js';

/** The caller of an open server (no keys configured): local use, full rights. */
export const ANONYMOUS_ADMIN: Caller = Object.freeze({ role: 'admin', name: 'anonymous' });

/**
 * What a presented credential amounts to: `open` (no keys configured), `missing` (none given),
 * `valid` (with its caller) or `invalid` (given but matches no key).
 */
export type Authentication =
  | { kind: 'open'; caller: Caller }
  | { kind: 'missing'; caller: null }
  | { kind: 'valid'; caller: Caller }
  | { kind: 'invalid'; caller: null };

interface StoredKey {
  digest: Buffer;
  caller: Caller;
}

function digest(secret: string): Buffer {
  return createHash('sha256').update(secret, 'utf8').digest();
}

/**
 * The configured API keys, kept only as SHA-256 digests. A lookup hashes the presented
 * credential and compares it with every stored digest using `timingSafeEqual`, without an
 * early exit, so neither the key's content nor its position leaks through timing.
 */
export class ApiKeyRing {
  private readonly keys: StoredKey[];
  /** Each HTTP request's answer: its key is hashed and compared once, however many hooks ask. */
  private readonly byRequest = new WeakMap<object, Authentication>();

  constructor(keys: readonly ApiKey[]) {
    this.keys = keys.map((key) => ({
      digest: digest(key.key),
      caller: Object.freeze(
        key.agentId ? { role: key.role, name: key.name, agentId: key.agentId } : { role: key.role, name: key.name },
      ),
    }));
  }

  /** True when at least one key is configured: callers must then present one. */
  get enabled(): boolean {
    return this.keys.length > 0;
  }

  /** The key in a request's `Authorization: Bearer` header, checked once per request. */
  authenticateRequest(request: { headers: { get(name: string): string | null } }): Authentication {
    if (!this.enabled) return this.authenticate(undefined);
    let auth = this.byRequest.get(request);
    if (!auth) {
      auth = this.authenticate(bearerToken(request.headers.get('authorization')));
      this.byRequest.set(request, auth);
    }
    return auth;
  }

  authenticate(credential: string | null | undefined): Authentication {
    if (!this.enabled) return { kind: 'open', caller: ANONYMOUS_ADMIN };
    if (credential === null || credential === undefined) return { kind: 'missing', caller: null };
    const presented = digest(credential);
    let match: Caller | null = null;
    for (const key of this.keys) {
      if (timingSafeEqual(presented, key.digest) && match === null) match = key.caller;
    }
    return match ? { kind: 'valid', caller: match } : { kind: 'invalid', caller: null };
  }
}

import { LRUCache } from 'lru-cache';
import { isFinal, type Handoff } from '../../engine/handoffs/handoff.js';

/**
 * Parsed copies of recently read finished handoffs. A handoff in a final status never changes
 * again (no transition leaves a final status, and nothing deletes handoffs), so a copy stays
 * true in every process sharing the store: reads of it skip the store round trip and the JSON
 * parse. What readers share is frozen; each reader gets its own top-level object (GraphQL
 * libraries tag result objects with their type). Size 0 turns the cache off.
 */
export class FinishedHandoffs {
  private readonly cache: LRUCache<string, Handoff> | null;

  constructor(maxEntries: number) {
    this.cache = maxEntries > 0 ? new LRUCache({ max: maxEntries }) : null;
  }

  /** A shallow copy (its nested steps, metadata and outputs are frozen and shared). */
  get(id: string): Handoff | undefined {
    const frozen = this.cache?.get(id);
    return frozen && { ...frozen };
  }

  /** Keeps `handoff` when it is finished; returns what callers should hold. */
  remember(handoff: Handoff): Handoff {
    if (!this.cache || !isFinal(handoff.status)) return handoff;
    const frozen = deepFreeze(handoff);
    this.cache.set(handoff.id, frozen);
    return { ...frozen };
  }
}

function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  for (const child of Object.values(value)) deepFreeze(child);
  return Object.freeze(value);
}

import type { Handoff } from '../handoff/handoff.js';

/** What a handoff's fair-share key is read from: its target agent, its procedure, or a metadata path. */
export type FairShareKeySource = { kind: 'targetAgent' } | { kind: 'procedure' } | { kind: 'metadata'; path: string[] };

/**
 * A cap on the handoffs of one key (one target agent, say) running at once in this process, on top
 * of the overall cap: one busy key cannot take every slot while the others wait.
 */
export interface FairShareRule {
  key: FairShareKeySource;
  /** Handoffs of one key running at once, unless `overrides` names the key. */
  limit: number;
  /** Per-key limits (key value → limit) that replace `limit` for those keys. */
  overrides: ReadonlyMap<string, number>;
}

/** The handoff fields a key can be read from. */
export type FairShareSubject = Pick<Handoff, 'targetAgent' | 'procedureId' | 'metadata'>;

/** Longest key kept: metadata values are free-form, and keys become metric labels. */
const MAX_KEY_LENGTH = 200;

/**
 * The handoff's key under `source`, or null when it has none (no target agent, or the metadata path
 * holds nothing usable): such handoffs are bounded by the overall cap alone.
 */
export function fairShareKeyOf(source: FairShareKeySource, handoff: FairShareSubject): string | null {
  switch (source.kind) {
    case 'targetAgent':
      return handoff.targetAgent;
    case 'procedure':
      return handoff.procedureId;
    case 'metadata': {
      let value: unknown = handoff.metadata;
      for (const part of source.path) {
        if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, part))
          return null;
        value = (value as Record<string, unknown>)[part];
      }
      if (typeof value === 'string') return value === '' ? null : value.slice(0, MAX_KEY_LENGTH);
      if (typeof value === 'number' || typeof value === 'boolean') return String(value);
      return null;
    }
  }
}

/** The limit for one key's handoffs. */
export function fairShareLimitOf(rule: FairShareRule, key: string): number {
  return rule.overrides.get(key) ?? rule.limit;
}

/** How `source` reads in settings and metrics: `targetAgent`, `procedure` or `metadata.<path>`. */
export function describeFairShareKey(source: FairShareKeySource): string {
  return source.kind === 'metadata' ? `metadata.${source.path.join('.')}` : source.kind;
}

import { encodeGlobalID } from '@pothos/plugin-relay';

/**
 * Accepts either a global id of `typename` (from an `id` field) or the plain id (e.g.
 * PHASE_TRANSITION_STANDARD), so ids copied from any field work as arguments. Decoded by hand
 * and checked by re-encoding: asking Pothos to decode a plain id throws, and building that
 * error on every lookup was a measurable share of a query.
 */
export function plainId(id: string, typename: string): string {
  const prefix = `${typename}:`;
  const decoded = Buffer.from(id, 'base64').toString('utf8');
  if (!decoded.startsWith(prefix)) return id;
  const inner = decoded.slice(prefix.length);
  return encodeGlobalID(typename, inner) === id ? inner : id;
}

/** plainId for an optional argument: null and undefined pass through, so "not given" stays distinguishable. */
export function optionalPlainId<N extends null | undefined>(id: string | N, typename: string): string | N {
  return id == null ? id : plainId(id, typename);
}

/** plainId over a list argument; a missing list stays missing. */
export function plainIds<N extends null | undefined>(ids: readonly string[] | N, typename: string): string[] | N {
  return ids == null ? (ids as N) : ids.map((id) => plainId(id, typename));
}

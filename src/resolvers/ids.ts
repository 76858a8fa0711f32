import { decodeGlobalID } from '@pothos/plugin-relay';

/**
 * Accepts either a global id of `typename` (from an `id` field) or the plain id (e.g.
 * PHASE_TRANSITION_STANDARD), so ids copied from any field work as arguments.
 */
export function plainId(id: string, typename: string): string {
  try {
    const decoded = decodeGlobalID(id);
    if (decoded.typename === typename) return decoded.id;
  } catch {
    // not a global id: use it as given
  }
  return id;
}

import type { UserError } from '../../shared/user-error.js';
import type { AgentSide, HandoffFilter, MetadataEquality } from '../ports/handoff-store.js';
import type { HandoffStatus } from './handoff.js';

/**
 * What a client asks a handoff list (or a bulk action) for: a store filter plus conditions that
 * need the clock or the agent registry to become one (see resolveHandoffQuery).
 */
export interface HandoffQuery extends Omit<HandoffFilter, 'agentIn' | 'upTo' | 'metadata'> {
  /**
   * Handoffs PENDING or WAITING whose status has not changed for longer than this: no transition
   * stored for that long (a handoff makes none while it waits in the queue or for a signal or agent).
   */
  waitingLongerThanMs?: number;
  /** Handoffs whose agent on `side` is registered with the capability `role`. */
  agentRole?: { role: string; side: AgentSide };
  /** Metadata equalities with dotted paths, e.g. `customer.tier`. */
  metadata?: { path: string; equals: unknown }[];
}

/** Statuses in which a handoff waits (for its turn, or for a signal or an agent). */
export const WAITING_STATUSES: readonly HandoffStatus[] = ['PENDING', 'WAITING'];

const PATH_KEY = /^[A-Za-z0-9_-]+$/;
const MAX_PATH_KEYS = 16;
const MAX_EQUALITIES = 16;
/** Agents a role may name at most: the role becomes a list of agent ids in the query. */
export const MAX_AGENTS_PER_ROLE = 1_000;

export interface QueryContext {
  now: number;
  /** Ids of the agents registered with a capability (at most `limit`; more means too many). */
  agentsWithRole(role: string, limit: number): Promise<string[]>;
}

function metadataEqualities(input: NonNullable<HandoffQuery['metadata']>, errors: UserError[]): MetadataEquality[] {
  if (input.length > MAX_EQUALITIES)
    errors.push({
      field: ['filter', 'metadata'],
      code: 'INVALID_VALUE',
      message: `At most ${MAX_EQUALITIES} metadata conditions`,
    });
  return input.map(({ path, equals }, index) => {
    const keys = path.split('.');
    if (keys.length > MAX_PATH_KEYS || !keys.every((key) => PATH_KEY.test(key))) {
      errors.push({
        field: ['filter', 'metadata', String(index), 'path'],
        code: 'INVALID_VALUE',
        message: `"${path.slice(0, 100)}" is not a metadata path: up to ${MAX_PATH_KEYS} keys of letters, digits, _ and -, joined by dots`,
      });
    }
    const scalar = equals === null || ['string', 'number', 'boolean'].includes(typeof equals);
    if (!scalar) {
      errors.push({
        field: ['filter', 'metadata', String(index), 'equals'],
        code: 'INVALID_VALUE',
        message: 'equals must be a JSON string, number, boolean or null',
      });
    }
    return { path: keys, equals: equals as MetadataEquality['equals'] };
  });
}

/**
 * The store filter for a query, as of `context.now`; null when nothing can match (no agent has the
 * role, or the statuses asked for are not waiting ones). Mistakes come back as user errors.
 */
export async function resolveHandoffQuery(
  query: HandoffQuery,
  context: QueryContext,
): Promise<{ filter: HandoffFilter | null } | { errors: UserError[] }> {
  const { waitingLongerThanMs, agentRole, metadata, ...plain } = query;
  const errors: UserError[] = [];
  const filter: HandoffFilter = { ...plain };
  if (metadata?.length) filter.metadata = metadataEqualities(metadata, errors);
  if (waitingLongerThanMs !== undefined && (!Number.isFinite(waitingLongerThanMs) || waitingLongerThanMs < 0)) {
    errors.push({
      field: ['filter', 'waitingLongerThanSeconds'],
      code: 'INVALID_VALUE',
      message: 'waitingLongerThanSeconds must not be negative',
    });
  }
  if (agentRole && !agentRole.role)
    errors.push({ field: ['filter', 'agentRole', 'role'], code: 'INVALID_VALUE', message: 'role must not be empty' });
  if (errors.length > 0) return { errors };
  if (waitingLongerThanMs !== undefined) {
    const statuses = WAITING_STATUSES.filter((status) => !query.status?.length || query.status.includes(status));
    if (statuses.length === 0) return { filter: null };
    filter.status = statuses;
    const before = context.now - waitingLongerThanMs;
    filter.updatedAt = { ...filter.updatedAt, before: Math.min(before, filter.updatedAt?.before ?? before) };
  }
  if (agentRole) {
    const ids = await context.agentsWithRole(agentRole.role, MAX_AGENTS_PER_ROLE + 1);
    if (ids.length > MAX_AGENTS_PER_ROLE) {
      return {
        errors: [
          {
            field: ['filter', 'agentRole'],
            code: 'TOO_LARGE',
            message: `More than ${MAX_AGENTS_PER_ROLE} agents have the role "${agentRole.role}": narrow the list with agent instead`,
          },
        ],
      };
    }
    if (ids.length === 0) return { filter: null };
    filter.agentIn = { ids, side: agentRole.side };
  }
  return { filter };
}

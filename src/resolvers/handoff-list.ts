import { GraphQLError } from 'graphql';
import type { GraphQLContext } from '../context.js';
import type { Handoff } from '../engine/kernel/handoff/handoff.js';
import type { HandoffQuery } from '../engine/kernel/handoff/handoff-query.js';
import { DEFAULT_HANDOFF_ORDER, type HandoffOrder } from '../engine/kernel/ports/handoff-order.js';
import type { HandoffFilter } from '../engine/kernel/ports/handoff-store.js';
import type { UserError } from '../engine/shared/user-error.js';
import type { HandoffFilterInput } from '../schema/handoff.js';
import type { HandoffOrderInput } from '../schema/handoff-filter.js';
import { connectionFromPage, pageRequest } from './connection.js';
import { optionalPlainId, plainIds } from './ids.js';

const millis = (date: Date | null | undefined): number | undefined => (date ? date.getTime() : undefined);

function range(input: { from?: Date | null; before?: Date | null } | null | undefined) {
  return input ? { from: millis(input.from), before: millis(input.before) } : undefined;
}

/** The `HandoffFilter` input as an engine query (reliability-test traffic left out unless asked for). */
export function toHandoffQuery(input: typeof HandoffFilterInput.$inferInput | null | undefined): HandoffQuery {
  return {
    status: input?.status ?? undefined,
    procedureId: plainIds(input?.procedureId, 'Procedure') ?? undefined,
    type: input?.handoffType ?? undefined,
    agent: optionalPlainId(input?.agent, 'Agent') ?? undefined,
    testId: optionalPlainId(input?.testId, 'ReliabilityTest') ?? undefined,
    test: input?.testId ? undefined : input?.includeTests ? undefined : false,
    createdAt: range(input?.createdAt),
    updatedAt: range(input?.updatedAt),
    waitingLongerThanMs: input?.waitingLongerThanSeconds != null ? input.waitingLongerThanSeconds * 1_000 : undefined,
    retrying: input?.retrying ?? undefined,
    agentRole: input?.agentRole ? { role: input.agentRole.role, side: input.agentRole.side ?? 'ANY' } : undefined,
    metadata: input?.metadata?.map((condition) => ({ path: condition.path, equals: condition.equals ?? null })),
  };
}

export function toHandoffOrder(input: typeof HandoffOrderInput.$inferInput | null | undefined): HandoffOrder {
  return input ? { field: input.field, direction: input.direction ?? 'DESC' } : DEFAULT_HANDOFF_ORDER;
}

/** User errors of a list's filter as one GraphQL error: a query has no userErrors to put them in. */
export function badFilter(errors: UserError[]): GraphQLError {
  return new GraphQLError(errors.map((error) => error.message).join('; '), {
    extensions: { code: 'BAD_USER_INPUT', fields: errors.map((error) => error.field?.join('.') ?? null) },
  });
}

const EMPTY_PAGE = { items: [], hasNextPage: false, hasPreviousPage: false };

/** A connection of the handoffs a query matches now, in `order`. */
export async function handoffConnection(
  context: GraphQLContext,
  query: HandoffQuery,
  args: { first?: number | null; after?: string | null },
  order: HandoffOrder,
  narrow: (filter: HandoffFilter) => HandoffFilter = (filter) => filter,
) {
  const resolved = await context.engine.handoffs.resolveQuery(query);
  if ('errors' in resolved) throw badFilter(resolved.errors);
  const filter = resolved.filter && narrow(resolved.filter);
  const request = pageRequest(args);
  return connectionFromPage<Handoff>(
    async () => (filter ? context.engine.handoffs.page(filter, request, order) : EMPTY_PAGE),
    async () => (filter ? context.engine.handoffs.count(filter) : 0),
  );
}

import { GraphQLError } from 'graphql';
import type { Page, PageRequest } from '../engine/ports/page.js';
import { InvalidCursorError } from '../engine/ports/store-errors.js';

const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;

interface ConnectionArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

/** first/after from Relay args, clamped to 100; backward paging is not offered. */
export function pageRequest(args: ConnectionArgs): PageRequest {
  if (args.last != null || args.before != null) {
    throw new GraphQLError('Only forward pagination (first/after) is supported', { extensions: { code: 'BAD_USER_INPUT' } });
  }
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (first < 0) throw new GraphQLError('first must not be negative', { extensions: { code: 'BAD_USER_INPUT' } });
  return { first: Math.min(first, MAX_PAGE_SIZE), after: args.after ?? null };
}

export interface CountedConnection {
  count: () => Promise<number>;
}

/** A keyset page as a Relay connection; totalCount is counted only when asked for. */
export async function connectionFromPage<T>(load: () => Promise<Page<T>>, count: () => Promise<number>) {
  let page: Page<T>;
  try {
    page = await load();
  } catch (error) {
    if (error instanceof InvalidCursorError) throw new GraphQLError(error.message, { extensions: { code: 'BAD_USER_INPUT' } });
    throw error;
  }
  return {
    edges: page.items,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      startCursor: page.items[0]?.cursor ?? null,
      endCursor: page.items.at(-1)?.cursor ?? null,
    },
    count,
  };
}

/** The `totalCount` field every connection carries. */
export function totalCountField(c: any, what: string) {
  return c.int({
    description: `How many ${what} match the filter in all.`,
    resolve: (connection: unknown) => (connection as CountedConnection).count(),
  });
}

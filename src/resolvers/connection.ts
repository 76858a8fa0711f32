import { GraphQLError } from 'graphql';
import type { Page, PageRequest } from '../engine/kernel/ports/page.js';
import { InvalidCursorError } from '../engine/kernel/ports/store-errors.js';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

interface ConnectionArgs {
  first?: number | null;
  after?: string | null;
}

/** first/after (see pageArgs in the schema) as a page request, clamped to 100. */
export function pageRequest(args: ConnectionArgs): PageRequest {
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (first < 0) throw new GraphQLError('first must not be negative', { extensions: { code: 'BAD_USER_INPUT' } });
  return { first: Math.min(first, MAX_PAGE_SIZE), after: args.after ?? null };
}

/** A keyset page as a Relay connection; totalCount is counted only when asked for. */
export async function connectionFromPage<T>(load: () => Promise<Page<T>>, count: () => Promise<number>) {
  let page: Page<T>;
  try {
    page = await load();
  } catch (error) {
    if (error instanceof InvalidCursorError)
      throw new GraphQLError(error.message, { extensions: { code: 'BAD_USER_INPUT' } });
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

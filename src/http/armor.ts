import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import type { Plugin } from 'graphql-yoga';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from '../resolvers/connection.js';
import { usePageCost } from './page-cost.js';

/**
 * Static limits on an operation's shape, checked at parse/validate time before anything runs.
 * Depth 12 leaves room for Relay `connection { edges { node { … { … } } } }` plus nested step
 * and event lists; introspection (GraphiQL) is exempt from depth and cost.
 */
export const OPERATION_LIMITS = {
  maxDepth: 12,
  maxCost: 60_000,
  maxAliases: 15,
  maxDirectives: 20,
  maxTokens: 2_000,
} as const;

/**
 * graphql-armor with our limits. Field suggestions ("Did you mean …?") are blocked when API keys
 * are on, so an unauthenticated probe cannot map the schema through error messages. The cost limit
 * is ours (usePageCost): armor's counts a page size only when `first` is a literal.
 */
export function useOperationLimits(options: { hideFieldSuggestions: boolean }): Plugin {
  return EnvelopArmorPlugin({
    maxDepth: { n: OPERATION_LIMITS.maxDepth },
    costLimit: { enabled: false },
    maxAliases: { n: OPERATION_LIMITS.maxAliases },
    maxDirectives: { n: OPERATION_LIMITS.maxDirectives },
    maxTokens: { n: OPERATION_LIMITS.maxTokens },
    blockFieldSuggestion: { enabled: options.hideFieldSuggestions },
  }) as Plugin;
}

/** The cost limit, with every list weighted by the page it returns (see pageCost). */
export function useOperationCost(): Plugin {
  return usePageCost({
    maxCost: OPERATION_LIMITS.maxCost,
    defaultPageSize: DEFAULT_PAGE_SIZE,
    maxPageSize: MAX_PAGE_SIZE,
  });
}

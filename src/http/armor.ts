import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import type { Plugin } from 'graphql-yoga';

/**
 * Static limits on an operation's shape, checked at parse/validate time before anything runs.
 * Depth 12 leaves room for Relay `connection { edges { node { … { … } } } }` plus nested step
 * and event lists; introspection (GraphiQL) is exempt from depth and cost.
 */
export const OPERATION_LIMITS = {
  maxDepth: 12,
  maxCost: 5_000,
  maxAliases: 15,
  maxDirectives: 20,
  maxTokens: 2_000,
} as const;

/**
 * graphql-armor with our limits. Field suggestions ("Did you mean …?") are blocked when API keys
 * are on, so an unauthenticated probe cannot map the schema through error messages.
 */
export function useOperationLimits(options: { hideFieldSuggestions: boolean }): Plugin {
  return EnvelopArmorPlugin({
    maxDepth: { n: OPERATION_LIMITS.maxDepth },
    costLimit: { maxCost: OPERATION_LIMITS.maxCost },
    maxAliases: { n: OPERATION_LIMITS.maxAliases },
    maxDirectives: { n: OPERATION_LIMITS.maxDirectives },
    maxTokens: { n: OPERATION_LIMITS.maxTokens },
    blockFieldSuggestion: { enabled: options.hideFieldSuggestions },
  }) as Plugin;
}

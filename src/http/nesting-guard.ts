import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * How deep brackets (`{`, `[`, `(`) may nest in an operation's text. Selections stop at depth 12 and
 * JSON values at 64 levels; 100 leaves room for both. graphql-js parses recursively and overflows the
 * stack near 2,000 levels of `[[[…]]]` — before its token limit (one token a level) is reached.
 */
export const MAX_NESTING = 100;

/**
 * The deepest bracket nesting in GraphQL source text, counting only until `max` is passed (then
 * max + 1). Strings, block strings and comments are skipped: brackets inside them are not syntax.
 * A plain loop over the text, so it cannot overflow the stack however deep the text nests.
 */
export function bracketDepth(source: string, max: number): number {
  let depth = 0;
  let deepest = 0;
  let i = 0;
  while (i < source.length) {
    const char = source[i];
    if (char === '#') {
      while (i < source.length && source[i] !== '\n' && source[i] !== '\r') i++;
    } else if (source.startsWith('"""', i)) {
      i += 3;
      while (i < source.length && !source.startsWith('"""', i)) i += source.startsWith('\\"""', i) ? 4 : 1;
      i += 3;
      continue;
    } else if (char === '"') {
      i++;
      while (i < source.length && source[i] !== '"' && source[i] !== '\n') i += source[i] === '\\' ? 2 : 1;
    } else if (char === '{' || char === '[' || char === '(') {
      depth++;
      if (depth > deepest) deepest = depth;
      if (deepest > max) return deepest;
    } else if (char === '}' || char === ']' || char === ')') {
      depth--;
    }
    i++;
  }
  return deepest;
}

/**
 * Refuses, before graphql-js parses it, an operation whose brackets nest deeper than `max`: a 400
 * with a message that says so, on every transport (HTTP GET and POST, SSE, graphql-ws, REST),
 * instead of a stack overflow that would reach the client as a 500.
 */
export function useNestingGuard(max = MAX_NESTING): Plugin {
  return {
    onParse({ params }) {
      const source = typeof params.source === 'string' ? params.source : params.source.body;
      const depth = bracketDepth(source, max);
      if (depth > max) {
        throw new GraphQLError(
          `Syntax Error: brackets nest more than ${max} levels deep; at most ${max} are allowed.`,
          {
            extensions: { code: 'GRAPHQL_PARSE_FAILED', http: { status: 400 } },
          },
        );
      }
    },
  };
}

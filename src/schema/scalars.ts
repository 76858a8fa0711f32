import { GraphQLError, type ValueNode } from 'graphql';
import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import { builder } from './builder.js';

/** RFC 3339 text, from what the engine keeps (epoch milliseconds) or a Date. */
function serializeDateTime(value: unknown): string {
  const date = typeof value === 'number' ? new Date(value) : value;
  if (date instanceof Date && !Number.isNaN(date.getTime())) return date.toISOString();
  // Invalid dates, out-of-range numbers and other types: graphql-scalars' checks give the error.
  return (DateTimeResolver.serialize(date) as Date).toISOString();
}

builder.addScalarType('DateTime', DateTimeResolver, {
  // graphql-scalars serializes to a Date, which JSON.stringify turns into text through Date#toJSON:
  // about ten times slower than a string, for every date in every response. Send the string.
  serialize: serializeDateTime,
});

/** Deepest nesting a JSON input may have (metadata, payloads, contexts, conditions, params). */
export const MAX_JSON_DEPTH = 64;

/**
 * Whether `value` nests objects and arrays deeper than `limit`, found without recursion: the point is
 * that a deep value must not overflow the stack here (or later, in JSON.stringify and friends).
 */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: [unknown, number][] = [[value, 1]];
  while (pending.length > 0) {
    const [item, depth] = pending.pop()!;
    if (typeof item !== 'object' || item === null) continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(item) ? item : Object.values(item)) {
      if (typeof child === 'object' && child !== null) pending.push([child, depth + 1]);
    }
  }
  return false;
}

function withinDepth<T>(value: T): T {
  if (nestsDeeperThan(value, MAX_JSON_DEPTH)) {
    throw new GraphQLError(`JSON values may nest at most ${MAX_JSON_DEPTH} levels deep`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return value;
}

builder.addScalarType('JSON', JSONResolver, {
  // A client's JSON is checked for depth before anything walks it recursively.
  parseValue: (value) => JSONResolver.parseValue(withinDepth(value)),
  parseLiteral: (ast: ValueNode, variables) => withinDepth(JSONResolver.parseLiteral(ast, variables)),
});

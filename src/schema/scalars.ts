import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import { builder } from './builder.js';

/** RFC 3339 text for a valid Date; anything else goes through graphql-scalars' checks (and its errors). */
function serializeDateTime(value: unknown): string {
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString();
  return (DateTimeResolver.serialize(value) as Date).toISOString();
}

builder.addScalarType('DateTime', DateTimeResolver, {
  // graphql-scalars serializes to a Date, which JSON.stringify turns into text through Date#toJSON:
  // about ten times slower than a string, for every date in every response. Send the string.
  serialize: serializeDateTime,
});
builder.addScalarType('JSON', JSONResolver, {});

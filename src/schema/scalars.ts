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
builder.addScalarType('JSON', JSONResolver, {});

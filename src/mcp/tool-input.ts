import { z } from 'zod';

/**
 * Input fields for the tools. A value that does not fit is refused by the SDK before the tool runs,
 * as a tool error whose text carries our code (INVALID_VALUE), like the API's own refusals.
 */
const invalid = (what: string) => ({ error: () => `INVALID_VALUE: ${what}` });

export const input = {
  id: (description: string) =>
    z
      .string(invalid('an id is a non-empty string'))
      .min(1, invalid('an id is a non-empty string'))
      .max(256)
      .describe(description),
  text: (description: string, max: number) =>
    z
      .string(invalid(`a string of at most ${max} characters`))
      .max(max, invalid(`at most ${max} characters`))
      .describe(description),
  count: (description: string, max: number) =>
    z
      .number(invalid(`a whole number from 1 to ${max}`))
      .int(invalid(`a whole number from 1 to ${max}`))
      .min(1, invalid(`a whole number from 1 to ${max}`))
      .max(max, invalid(`a whole number from 1 to ${max}`))
      .describe(description),
  seq: (description: string) =>
    z
      .number(invalid('a whole number, 0 or more'))
      .int(invalid('a whole number, 0 or more'))
      .min(0, invalid('a whole number, 0 or more'))
      .describe(description),
  flag: (description: string) => z.boolean(invalid('true or false')).describe(description),
  object: (description: string) => z.record(z.string(), z.unknown(), invalid('a JSON object')).describe(description),
  json: (description: string) => z.unknown().describe(description),
  choice: <const T extends readonly [string, ...string[]]>(values: T, description: string) =>
    z.enum(values, invalid(`one of ${values.join(', ')}`)).describe(description),
};

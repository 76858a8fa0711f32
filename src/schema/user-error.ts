import type { UserError } from '../engine/shared/user-error.js';
import { USER_ERROR_CODES, USER_ERROR_DOCS } from '../engine/shared/user-error-codes.js';
import { builder } from './builder.js';
import { enumValues } from './enum-values.js';

export const UserErrorCodeEnum = builder.enumType('UserErrorCode', {
  description:
    'Why an operation refused its input: the closed list of `UserError.code` values, each one case a client may handle differently.',
  values: enumValues(USER_ERROR_CODES, USER_ERROR_DOCS),
});

export const UserErrorRef = builder.objectRef<UserError>('UserError').implement({
  description: 'A mistake in the input that the caller can fix. The operation changed nothing.',
  fields: (t) => ({
    field: t.exposeStringList('field', {
      nullable: true,
      description:
        'Path to the offending input field, e.g. ["input", "steps", "2", "timeoutMs"]; null when no single field is at fault.',
    }),
    message: t.exposeString('message', { description: 'What is wrong, in words a person can act on.' }),
    code: t.expose('code', {
      type: UserErrorCodeEnum,
      description: 'What kind of mistake it is: branch on this, not on the message.',
    }),
  }),
});

/** Every mutation payload: the affected entity (null on error) plus userErrors. */
export interface Payload<T> {
  value: T | null;
  userErrors: UserError[];
}

/**
 * Declares `<Name>Payload { <entityField>: Entity, userErrors: [UserError!]! }`.
 * One helper so all payloads share the same shape and wording.
 */
// biome-ignore lint/suspicious/noExplicitAny: any Pothos object ref; its type parameters differ per payload
export function payloadType<T>(name: string, entityField: string, entityRef: any, description: string) {
  return builder.objectRef<Payload<T>>(`${name}Payload`).implement({
    description,
    fields: (t) => ({
      [entityField]: t.field({
        type: entityRef,
        nullable: true,
        description: `The ${entityField} affected, or null when userErrors is not empty.`,
        // biome-ignore lint/suspicious/noExplicitAny: the entity ref is untyped here (see above)
        resolve: (payload: Payload<T>) => payload.value as any,
      }),
      userErrors: t.field({
        type: [UserErrorRef],
        description: 'Mistakes in the input; empty on success.',
        resolve: (payload: Payload<T>) => payload.userErrors,
      }),
    }),
  });
}

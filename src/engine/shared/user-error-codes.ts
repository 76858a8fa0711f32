/**
 * Every code a `UserError` can carry: a closed list, so clients can branch on it and the schema can publish it
 * as the `UserErrorCode` enum. Near-twins were merged on purpose (a malformed id is an INVALID_VALUE; a lost
 * compare-and-set is a VERSION_CONFLICT); add a code only for a case a client would handle differently.
 */
export const USER_ERROR_DOCS = {
  INVALID_VALUE:
    'A field has a value the operation does not accept (format, range, length, unknown enum, not a JSON object); `field` says which.',
  MISSING_VALUE:
    'A field that is optional in the schema is required in this case (e.g. targetAgent for a procedure that transfers context).',
  TOO_LARGE:
    'A value is larger than allowed as JSON (metadata, signal payload, validation context, step params, task output or progress).',
  INVALID_CONDITION: 'A validation rule condition is not a query the rule engine can evaluate.',
  NOT_FOUND: 'The id names nothing (no such handoff, procedure, agent, rule, task, test or configuration).',
  DUPLICATE_KEY: 'Something with this id already exists.',
  VERSION_CONFLICT:
    'It changed since you read it (expectedVersion does not match, or a concurrent update won): read it again and retry.',
  INVALID_STATE:
    'It is not in a state that allows this (e.g. cancelling a finished handoff, signalling a step that does not wait).',
  RULE_IN_USE: 'The validation rule is named by a procedure and cannot be deleted; the message lists where.',
  DEPENDENCY_CYCLE: "The procedure's dependencies would form a cycle.",
  DEPENDENCY_NOT_MET: 'A procedure this one depends on has no COMPLETED handoff for this source phase yet.',
  AGENT_NOT_REGISTERED: 'An agent the procedure needs is not registered.',
  UNSUPPORTED_PROCEDURE: 'The reliability harness cannot run this procedure (it has AWAIT_SIGNAL steps).',
  TOO_MANY_TESTS: 'The limit of reliability tests running at once is reached: wait or cancel one.',
  UNAVAILABLE: 'The server is shutting down and starts no new work: retry on another server or later.',
  FORBIDDEN: "An agent key acting on another agent's work (served as a FORBIDDEN GraphQL error, not a userError).",
  TASK_ALREADY_CLAIMED: 'Another worker claimed the task first.',
  TASK_NOT_CURRENT: 'The task is finished or was taken back: stop working on it.',
  INVALID_TOKEN: 'The claim token does not match the claim of this task.',
  DIGEST_MISMATCH: 'The digest does not match what the delivery holds now: read the values again.',
  UNREACHABLE:
    'The server could not read what it had to fetch (an A2A Agent Card): no answer, an error, or not a card; the message says why.',
  HOST_NOT_ALLOWED: "The URL's host is not in the server's WEBHOOK_ALLOW_HOSTS: the server calls no other host.",
} as const;

export type UserErrorCode = keyof typeof USER_ERROR_DOCS;

export const USER_ERROR_CODES = Object.keys(USER_ERROR_DOCS) as UserErrorCode[];

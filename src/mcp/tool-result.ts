import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { GraphQLAnswer } from './graphql-gateway.js';

/** A refusal as a tool reports it: our UserErrorCode (or the GraphQL error's code), the message, the field. */
export interface ToolError {
  code: string;
  message: string;
  field?: string[] | null;
}

/** A successful tool call: the value as JSON text for the model, and as structured content for programs. */
export function toolResult(value: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value, null, 2) }], structuredContent: value };
}

/**
 * A failed tool call (`isError: true`), so the model sees it and can correct itself: the text starts
 * with the code (e.g. `TASK_NOT_CURRENT: Task … was taken back`), and structuredContent carries
 * `{ error: { code, message, field } }` for programs.
 */
export function toolError(error: ToolError): CallToolResult {
  const field = error.field?.length ? ` (field: ${error.field.join('.')})` : '';
  return {
    isError: true,
    content: [{ type: 'text', text: `${error.code}: ${error.message}${field}` }],
    structuredContent: { error: { code: error.code, message: error.message, field: error.field ?? null } },
  };
}

/** Thrown inside a tool to end it with a tool error (see `runTool`). */
export class ToolRefusal extends Error {
  constructor(readonly error: ToolError) {
    super(error.message);
  }
}

/** The data of a GraphQL answer; its first error (UNAUTHENTICATED, FORBIDDEN, BAD_USER_INPUT…) becomes a tool error. */
export function dataOf<T>(answer: GraphQLAnswer<T>): T {
  const first = answer.errors?.[0];
  if (first) throw new ToolRefusal({ code: first.extensions?.code ?? 'INTERNAL_SERVER_ERROR', message: first.message });
  if (!answer.data) throw new ToolRefusal({ code: 'INTERNAL_SERVER_ERROR', message: 'The server answered no data' });
  return answer.data;
}

/** A mutation payload's first userError (nothing changed) becomes a tool error. */
export function payloadOf<T extends { userErrors: ToolError[] }>(payload: T): T {
  const refused = payload.userErrors[0];
  if (refused) throw new ToolRefusal(refused);
  return payload;
}

/** Runs a tool's work: its value as a result, a refusal as a tool error. Anything else is the SDK's (masked) error. */
export async function runTool(work: () => Promise<Record<string, unknown>>): Promise<CallToolResult> {
  try {
    return toolResult(await work());
  } catch (error) {
    if (error instanceof ToolRefusal) return toolError(error.error);
    throw error;
  }
}

import { type McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import {
  ErrorCode,
  McpError,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import type { GraphQLGateway } from './graphql-gateway.js';
import { readHandoff } from './handoff-tools.js';
import { ToolRefusal } from './tool-result.js';

const TEMPLATE = 'handoff://{handoffId}/events';
const URI = /^handoff:\/\/([^/]+)\/events$/;
/** Handoffs one MCP session may follow at once: each holds a stream to the server open. */
export const MAX_SUBSCRIPTIONS_PER_SESSION = 20;

const FOLLOW = `subscription($id: ID!, $after: Int) { handoffProgress(id: $id, afterSeq: $after) { seq type } }`;

function handoffIdOf(uri: string): string {
  const match = URI.exec(uri);
  if (!match) throw new McpError(ErrorCode.InvalidParams, `Not a handoff events resource: ${uri} (${TEMPLATE})`);
  return decodeURIComponent(match[1]);
}

/** A refusal reading the handoff as an MCP error the client sees (its code first, as in tool errors). */
async function readOrRefuse(gateway: GraphQLGateway, handoffId: string) {
  try {
    return await readHandoff(gateway, { handoffId }, 0, 200);
  } catch (error) {
    if (error instanceof ToolRefusal)
      throw new McpError(ErrorCode.InvalidParams, `${error.error.code}: ${error.error.message}`);
    throw error;
  }
}

/**
 * A handoff's history as a resource, `handoff://{handoffId}/events`: reading it gives the handoff's
 * status and its events (JSON). Subscribing to it sends `notifications/resources/updated` for each
 * new event until the handoff finishes (the server follows it with handoffProgress over SSE, from
 * the last event read, so none is missed). Returns a stop for the session's subscriptions.
 */
export function registerHandoffEvents(server: McpServer, gateway: GraphQLGateway): () => void {
  server.registerResource(
    'handoff-events',
    new ResourceTemplate(TEMPLATE, { list: undefined }),
    {
      title: 'A handoff and its events',
      description:
        'The status, steps and events (oldest first, up to 200) of one handoff, as JSON. Subscribe to be told of each new event.',
      mimeType: 'application/json',
    },
    async (uri, variables) => {
      const handoff = await readOrRefuse(gateway, decodeURIComponent(String(variables.handoffId)));
      return { contents: [{ uri: uri.href, mimeType: 'application/json', text: JSON.stringify(handoff, null, 2) }] };
    },
  );

  const following = new Map<string, AbortController>();
  server.server.setRequestHandler(SubscribeRequestSchema, async (request) => {
    const { uri } = request.params;
    const handoffId = handoffIdOf(uri);
    if (following.has(uri)) return {};
    if (following.size >= MAX_SUBSCRIPTIONS_PER_SESSION)
      throw new McpError(ErrorCode.InvalidRequest, `At most ${MAX_SUBSCRIPTIONS_PER_SESSION} subscriptions at once`);
    const handoff = await readOrRefuse(gateway, handoffId);
    const stop = new AbortController();
    following.set(uri, stop);
    const lastSeq = (handoff.events?.at(-1) as { seq?: number } | undefined)?.seq ?? 0;
    void follow(gateway, handoffId, lastSeq, stop.signal, () => server.server.sendResourceUpdated({ uri })).finally(
      () => {
        if (following.get(uri) === stop) following.delete(uri);
      },
    );
    return {};
  });
  server.server.setRequestHandler(UnsubscribeRequestSchema, async (request) => {
    following.get(request.params.uri)?.abort();
    following.delete(request.params.uri);
    return {};
  });
  return () => {
    for (const stop of following.values()) stop.abort();
    following.clear();
  };
}

/**
 * Calls `updated` once per event after `afterSeq` until the handoff's final event or `signal`. A
 * dropped stream is followed again from the last event seen (after a pause); a refusal ends it.
 */
async function follow(
  gateway: GraphQLGateway,
  handoffId: string,
  afterSeq: number,
  signal: AbortSignal,
  updated: () => Promise<void>,
): Promise<void> {
  let last = afterSeq;
  for (let failures = 0; !signal.aborted; failures++) {
    try {
      for await (const answer of gateway.subscribe<{ handoffProgress: { seq: number } }>(
        FOLLOW,
        { id: handoffId, after: last },
        signal,
      )) {
        if (answer.errors?.length || !answer.data) return;
        last = answer.data.handoffProgress.seq;
        failures = 0;
        await updated().catch(() => undefined);
      }
      return;
    } catch {
      if (signal.aborted) return;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(5_000, 200 * 2 ** failures)));
  }
}

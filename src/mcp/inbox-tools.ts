import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ActingAgent } from './acting-agent.js';
import type { GraphQLGateway } from './graphql-gateway.js';
import { input } from './tool-input.js';
import { dataOf, payloadOf, runTool, type ToolError, ToolRefusal } from './tool-result.js';

const DELIVERY = 'handoffId keys values digest deliveredAt acknowledged acknowledgedAt withdrawnAt';

/** The tools for what handoffs hand an agent: read the inbox, acknowledge a delivery. */
export function registerInboxTools(server: McpServer, gateway: GraphQLGateway, acting: ActingAgent): void {
  server.registerTool(
    'read_inbox',
    {
      title: 'Read what handoffs handed me',
      description:
        'Reads your agent inbox: for each handoff that handed you context, the keys and values it delivered, their ' +
        'digest, and whether you acknowledged them. Read it before working on a task of that handoff. To confirm you ' +
        'read a delivery, call acknowledge_delivery with its handoffId and the digest shown here. ' +
        'Returns { agentId, deliveries: [{ handoffId, keys, values, digest, acknowledged, … }] }, newest first.',
      inputSchema: {
        agentId: input.id('Your agent id; leave it out when your API key is bound to an agent.').optional(),
        handoffId: input.id('Only the delivery of this handoff.').optional(),
        first: input.count('How many deliveries at most (default 10).', 20).optional(),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args) =>
      runTool(async () => {
        const agentId = await acting.resolve(args.agentId);
        if (!args.handoffId)
          return { agentId, deliveries: (await inboxPage(gateway, agentId, args.first ?? 10, null)).deliveries };
        // One handoff's delivery: page through the inbox (newest first) until it turns up.
        for (let after: string | null = null, pages = 0; pages < MAX_PAGES; pages++) {
          const page = await inboxPage(gateway, agentId, 20, after);
          const found = page.deliveries.filter((delivery) => delivery.handoffId === args.handoffId);
          if (found.length > 0 || !page.endCursor) return { agentId, deliveries: found };
          after = page.endCursor;
        }
        return { agentId, deliveries: [] };
      }),
  );

  server.registerTool(
    'acknowledge_delivery',
    {
      title: 'Acknowledge a delivery',
      description:
        'Confirms that you read what a handoff delivered to you: pass the handoffId and the digest read_inbox showed ' +
        'with the values you read. A handoff step may be waiting for this receipt. If the delivery changed since you ' +
        'read it, the answer is DIGEST_MISMATCH: read the inbox again. Acknowledging twice is harmless. ' +
        'Returns { handoffId, acknowledged, acknowledgedAt }.',
      inputSchema: {
        handoffId: input.id('The handoff whose delivery you read.'),
        digest: input.text('The digest read_inbox showed for that delivery (64 hex characters).', 64),
        agentId: input.id('Your agent id; leave it out when your API key is bound to an agent.').optional(),
      },
      annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
    },
    (args) =>
      runTool(async () => {
        const agentId = await acting.resolve(args.agentId);
        const data = dataOf(
          await gateway.request<{
            acknowledgeDelivery: { delivery: Record<string, unknown> | null; userErrors: ToolError[] };
          }>(
            `mutation($input: AcknowledgeDeliveryInput!) { acknowledgeDelivery(input: $input) { delivery { handoffId acknowledged acknowledgedAt } userErrors { code message field } } }`,
            { input: { handoffId: args.handoffId, agentId, digest: args.digest } },
          ),
        );
        return payloadOf(data.acknowledgeDelivery).delivery ?? {};
      }),
  );
}

interface Delivery {
  handoffId: string;
  [field: string]: unknown;
}

/** Deliveries looked through for one handoff's, at most (20 a page). */
const MAX_PAGES = 50;

async function inboxPage(
  gateway: GraphQLGateway,
  agentId: string,
  first: number,
  after: string | null,
): Promise<{ deliveries: Delivery[]; endCursor: string | null }> {
  const data = dataOf(
    await gateway.request<{
      agent: {
        inbox: { edges: { node: Delivery }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
      } | null;
    }>(
      `query($id: ID!, $first: Int, $after: String) { agent(id: $id) { inbox(first: $first, after: $after) { edges { node { ${DELIVERY} } } pageInfo { hasNextPage endCursor } } } }`,
      { id: agentId, first, after },
    ),
  );
  if (!data.agent)
    throw new ToolRefusal({ code: 'NOT_FOUND', message: `No agent "${agentId}" is registered`, field: ['agentId'] });
  const { edges, pageInfo } = data.agent.inbox;
  return { deliveries: edges.map((edge) => edge.node), endCursor: pageInfo.hasNextPage ? pageInfo.endCursor : null };
}

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
        const deliveries = await readInbox(gateway, agentId, args.handoffId ? 20 : (args.first ?? 10));
        return {
          agentId,
          deliveries: args.handoffId ? deliveries.filter((d) => d.handoffId === args.handoffId) : deliveries,
        };
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

async function readInbox(gateway: GraphQLGateway, agentId: string, first: number): Promise<Delivery[]> {
  const data = dataOf(
    await gateway.request<{ agent: { inbox: { edges: { node: Delivery }[] } } | null }>(
      `query($id: ID!, $first: Int) { agent(id: $id) { inbox(first: $first) { edges { node { ${DELIVERY} } } } } }`,
      { id: agentId, first },
    ),
  );
  if (!data.agent)
    throw new ToolRefusal({ code: 'NOT_FOUND', message: `No agent "${agentId}" is registered`, field: ['agentId'] });
  return data.agent.inbox.edges.map((edge) => edge.node);
}

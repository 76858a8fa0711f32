import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ActingAgent } from './acting-agent.js';
import type { GraphQLGateway } from './graphql-gateway.js';
import { registerHandoffEvents } from './handoff-events-resource.js';
import { registerHandoffTools } from './handoff-tools.js';
import { registerInboxTools } from './inbox-tools.js';
import { registerTaskTools } from './task-tools.js';

export interface HandoffMcpServerOptions {
  /** The agent tools act for when a call names none (else the agent the API key is bound to). */
  agentId?: string | null;
}

const INSTRUCTIONS = `Handoff runs durable, validated handoffs of work between agents. You take part as an agent:
list_offered_tasks shows the work offered to you; claim_task takes one (keep its token); do what its input asks,
calling heartbeat_task while you work when it has a heartbeatTimeoutMs; then complete_task with your result, or
fail_task saying why. read_inbox shows what handoffs handed you (acknowledge_delivery confirms you read it).
start_handoff and read_handoff start and follow handoffs; handoff://{handoffId}/events is a handoff's history.
Errors start with a code (e.g. TASK_NOT_CURRENT: the task was taken back; stop working on it).`;

/** The MCP server for one session: tools and the events resource, each call one GraphQL operation through `gateway`. */
export function createHandoffMcpServer(
  gateway: GraphQLGateway,
  options: HandoffMcpServerOptions = {},
): { server: McpServer; close(): Promise<void> } {
  const server = new McpServer(
    { name: 'handoff', title: 'Handoff', version: '1.0.0' },
    { capabilities: { resources: { subscribe: true } }, instructions: INSTRUCTIONS, maxToolInputElements: 10_000 },
  );
  const acting = new ActingAgent(gateway, options.agentId ?? null);
  registerTaskTools(server, gateway, acting);
  registerInboxTools(server, gateway, acting);
  registerHandoffTools(server, gateway);
  const stopFollowing = registerHandoffEvents(server, gateway);
  return {
    server,
    async close() {
      stopFollowing();
      await server.close();
    },
  };
}

/**
 * The Handoff MCP server over stdio, for an MCP client that starts it as a command (an LLM agent's
 * host): it speaks to a running Handoff server through its GraphQL API, with that server's keys and roles.
 *
 *   HANDOFF_URL=http://localhost:4000/graphql HANDOFF_API_KEY=<key> HANDOFF_AGENT_ID=agent_2 \
 *     node --import tsx src/mcp/stdio.ts
 *
 * HANDOFF_AGENT_ID is the agent the tools act for when a call names none (an agent-bound key names
 * its own). stdout carries the protocol: everything else goes to stderr.
 */
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { httpGateway } from './graphql-gateway.js';
import { createHandoffMcpServer } from './handoff-mcp-server.js';

const url = process.env.HANDOFF_URL || 'http://localhost:4000/graphql';
const key = process.env.HANDOFF_API_KEY;
const mcp = createHandoffMcpServer(httpGateway({ url, authorization: key ? `Bearer ${key}` : null }), {
  agentId: process.env.HANDOFF_AGENT_ID || null,
});
const transport = new StdioServerTransport();
transport.onclose = () => process.exit(0);
await mcp.server.connect(transport);
console.error(`Handoff MCP server on stdio, for ${url}`);
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => void mcp.close().finally(() => process.exit(0)));

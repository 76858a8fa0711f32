import type { GraphQLGateway } from './graphql-gateway.js';
import { dataOf, ToolRefusal } from './tool-result.js';

/**
 * Which agent a tool acts for when the call names none: the one the server was started for
 * (HANDOFF_AGENT_ID), else the agent the API key is bound to (asked once, `viewer { agentId }`).
 */
export class ActingAgent {
  private bound: Promise<string | null> | null = null;

  constructor(
    private readonly gateway: GraphQLGateway,
    private readonly configured: string | null,
  ) {}

  async resolve(named: string | undefined): Promise<string> {
    if (named) return named;
    if (this.configured) return this.configured;
    this.bound ??= this.gateway
      .request<{ viewer: { agentId: string | null } | null }>('{ viewer { agentId } }')
      .then((answer) => dataOf(answer).viewer?.agentId ?? null);
    // A failed answer (the server unreachable for a moment) is not kept: the next call asks again.
    const agentId = await this.bound.catch((error) => {
      this.bound = null;
      throw error;
    });
    if (agentId) return agentId;
    throw new ToolRefusal({
      code: 'MISSING_VALUE',
      message: 'Name the agent (agentId): this API key is not bound to one, and the MCP server was started for none',
      field: ['agentId'],
    });
  }
}

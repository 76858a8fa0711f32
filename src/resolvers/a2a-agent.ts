import { A2AAgentIdInput, A2AAgentPayload, A2AAgentRef, RegisterA2AAgentInput } from '../schema/a2a-agent.js';
import { AgentRef } from '../schema/agent.js';
import { builder } from '../schema/builder.js';
import { plainId } from './ids.js';
import { toPayload } from './payload.js';

builder.objectFields(A2AAgentRef, (t) => ({
  agent: t.field({
    type: AgentRef,
    nullable: true,
    description: 'The registry agent (capabilities from its skills, status from its card readings).',
    resolve: (link, _args, context) => context.loaders.agents.load(link.agentId),
  }),
}));

builder.objectFields(AgentRef, (t) => ({
  a2a: t.field({
    type: A2AAgentRef,
    nullable: true,
    description: 'How the server reaches this agent over A2A; null for an agent that runs its own workers.',
    authScopes: (agent) => ({ viewer: true, actingAgent: agent.id }),
    resolve: (agent, _args, context) => context.engine.a2aAgents.get(agent.id),
  }),
}));

builder.queryFields((t) => ({
  a2aAgents: t.field({
    type: [A2AAgentRef],
    description: 'Every A2A agent registered, oldest first.',
    authScopes: { viewer: true },
    resolve: (_root, _args, context) => context.engine.a2aAgents.list(),
  }),
}));

builder.mutationFields((t) => ({
  registerA2AAgent: t.field({
    type: A2AAgentPayload,
    description:
      'Reads an Agent Card and registers its agent (again): its skills become the agent’s capabilities, and AGENT_TASK steps offered to it are sent to it as A2A tasks. The server calls the card’s host, so admins only.',
    authScopes: { admin: true },
    args: { input: t.arg({ type: RegisterA2AAgentInput, required: true, description: 'The card, and the agent.' }) },
    resolve: async (_root, { input }, context) => {
      const outcome = await context.engine.a2aAgents.register({
        cardUrl: input.cardUrl,
        agentId: input.agentId == null ? null : plainId(String(input.agentId), 'Agent'),
        permissions: input.permissions ?? null,
      });
      if (outcome.ok) context.loaders.agents.clear(outcome.value.agent.id);
      return toPayload(outcome.ok ? { ok: true, value: outcome.value.link } : outcome);
    },
  }),
  refreshA2AAgent: t.field({
    type: A2AAgentPayload,
    description: 'Reads an A2A agent’s card now (it is read every A2A_CARD_REFRESH_MS anyway).',
    authScopes: { operator: true },
    args: { input: t.arg({ type: A2AAgentIdInput, required: true, description: 'Which agent.' }) },
    resolve: async (_root, { input }, context) => {
      const outcome = await context.engine.a2aAgents.refresh(plainId(String(input.agentId), 'Agent'));
      return toPayload(outcome.ok ? { ok: true, value: outcome.value.link } : outcome);
    },
  }),
  removeA2AAgent: t.field({
    type: A2AAgentPayload,
    description:
      'Stops handing work to an agent over A2A. It stays in the registry; tasks offered to it from now on wait for a worker of its own.',
    authScopes: { admin: true },
    args: { input: t.arg({ type: A2AAgentIdInput, required: true, description: 'Which agent.' }) },
    resolve: async (_root, { input }, context) =>
      toPayload(await context.engine.a2aAgents.remove(plainId(String(input.agentId), 'Agent'))),
  }),
}));

import {
  AgentConnection,
  AgentFilterInput,
  AgentHeartbeatInput,
  AgentPayload,
  AgentRef,
  AgentStatusEnum,
  implementAgentNode,
  RegisterAgentInput,
} from '../schema/agent.js';
import { builder } from '../schema/builder.js';
import { pageArgs } from '../schema/connection.js';
import { connectionFromPage, pageRequest } from './connection.js';
import { plainId } from './ids.js';
import { toPayload } from './payload.js';

builder.queryFields((t) => ({
  agent: t.field({
    type: AgentRef,
    nullable: true,
    description:
      'One agent by its plain id (e.g. agent_2) or global id; null when not registered. An agent key reads its own agent only.',
    authScopes: (_root, args) => ({ viewer: true, actingAgent: plainId(String(args.id), 'Agent') }),
    args: { id: t.arg.id({ required: true, description: 'Plain or global id.' }) },
    resolve: (_root, args, context) => context.loaders.agents.load(plainId(String(args.id), 'Agent')),
  }),
  agents: t.field({
    type: AgentConnection,
    description: 'Registered agents, newest registration first.',
    authScopes: { viewer: true },
    args: {
      ...pageArgs(t.arg),
      filter: t.arg({ type: AgentFilterInput, required: false, description: 'Narrow the list.' }),
    },
    resolve: async (_root, args, context) => {
      const filter = { statuses: args.filter?.status ?? null, capability: args.filter?.capability ?? null };
      const connection = await connectionFromPage(
        () => context.engine.agents.page(filter, pageRequest(args)),
        () => context.engine.agents.count(filter),
      );
      for (const edge of connection.edges) context.loaders.agents.prime(edge.node.id, edge.node);
      return connection;
    },
  }),
}));

builder.mutationFields((t) => ({
  registerAgent: t.field({
    type: AgentPayload,
    description:
      'Registers an agent, or updates the capabilities and permissions of a registered one (same id). Counts as a heartbeat.',
    authScopes: { operator: true },
    args: { input: t.arg({ type: RegisterAgentInput, required: true, description: 'The agent.' }) },
    resolve: async (_root, { input }, context) => {
      const outcome = await context.engine.agents.register({ ...input, id: plainId(input.id, 'Agent') });
      if (outcome.ok) context.loaders.agents.clear(outcome.value.id);
      return toPayload(outcome);
    },
  }),
  agentHeartbeat: t.field({
    type: AgentPayload,
    description:
      'Records that a registered agent is alive, optionally with a new status. An agent key heartbeats its own agent only.',
    authScopes: (_root, args) => ({ operator: true, actingAgent: plainId(args.input.id, 'Agent') }),
    args: { input: t.arg({ type: AgentHeartbeatInput, required: true, description: 'Which agent, and its status.' }) },
    resolve: async (_root, { input }, context) => {
      const outcome = await context.engine.agents.heartbeat({ id: plainId(input.id, 'Agent'), status: input.status });
      if (outcome.ok) context.loaders.agents.clear(outcome.value.id);
      return toPayload(outcome);
    },
  }),
}));

implementAgentNode((ids, context) => context.engine.agents.getMany(ids));

// Both read the engine's clock: how fresh a heartbeat is depends on now.
builder.objectFields(AgentRef, (t) => ({
  status: t.field({
    type: AgentStatusEnum,
    description: 'Effective status: the reported one while the heartbeat is fresh, OFFLINE once it is stale.',
    resolve: (agent, _args, context) => context.engine.agents.statusOf(agent),
  }),
  heartbeatAgeMs: t.int({
    description: 'Milliseconds since the last heartbeat.',
    resolve: (agent, _args, context) => Math.max(0, context.engine.clock.now() - agent.lastHeartbeatAt),
  }),
}));

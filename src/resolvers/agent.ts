import { GraphQLError } from 'graphql';
import type { Outcome } from '../engine/shared/user-error.js';
import { InvalidCursorError, type Page } from '../store/pagination.js';
import { AgentFilterInput, AgentHeartbeatInput, AgentRef, RegisterAgentInput } from '../schema/agent.js';
import { builder } from '../schema/builder.js';
import { payloadType, type Payload } from '../schema/user-error.js';
import { plainId } from './ids.js';

const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;

interface ConnectionArgs {
  first?: number | null;
  after?: string | null;
  last?: number | null;
  before?: string | null;
}

/** first/after from Relay args, clamped; backward paging is not offered. */
export function pageRequest(args: ConnectionArgs): { first: number; after: string | null } {
  if (args.last != null || args.before != null) {
    throw new GraphQLError('Only forward pagination (first/after) is supported', { extensions: { code: 'BAD_USER_INPUT' } });
  }
  const first = args.first ?? DEFAULT_PAGE_SIZE;
  if (first < 0) throw new GraphQLError('first must not be negative', { extensions: { code: 'BAD_USER_INPUT' } });
  return { first: Math.min(first, MAX_PAGE_SIZE), after: args.after ?? null };
}

/** A keyset page as a Relay connection; totalCount is counted only when asked for. */
export async function connectionFromPage<T>(load: () => Promise<Page<T>>, count: () => Promise<number>) {
  let page: Page<T>;
  try {
    page = await load();
  } catch (error) {
    if (error instanceof InvalidCursorError) throw new GraphQLError(error.message, { extensions: { code: 'BAD_USER_INPUT' } });
    throw error;
  }
  return {
    edges: page.items,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: page.hasPreviousPage,
      startCursor: page.items[0]?.cursor ?? null,
      endCursor: page.items.at(-1)?.cursor ?? null,
    },
    count,
  };
}

/** Adapts a service Outcome to a mutation payload. */
export function toPayload<T>(outcome: Outcome<T>): Payload<T> {
  return outcome.ok ? { value: outcome.value, userErrors: [] } : { value: null, userErrors: outcome.errors };
}

const AgentPayload = payloadType('Agent', 'agent', AgentRef, 'The agent registered or heartbeated, or userErrors.');

builder.queryFields((t) => ({
  agent: t.field({
    type: AgentRef,
    nullable: true,
    description: 'One agent by its plain id (e.g. agent_2) or global id; null when not registered.',
    authScopes: { viewer: true },
    args: { id: t.arg.id({ required: true, description: 'Plain or global id.' }) },
    resolve: (_root, args, context) => context.loaders.agents.load(plainId(String(args.id), 'Agent')),
  }),
  agents: t.connection(
    {
      type: AgentRef,
      description: 'Registered agents, newest registration first.',
      authScopes: { viewer: true },
      args: { filter: t.arg({ type: AgentFilterInput, required: false, description: 'Narrow the list.' }) },
      resolve: async (_root, args, context) => {
        const filter = { statuses: args.filter?.status ?? null, capability: args.filter?.capability ?? null };
        const connection = await connectionFromPage(
          () => context.engine.agents.page(filter, pageRequest(args)),
          () => context.engine.agents.count(filter),
        );
        for (const edge of connection.edges) context.loaders.agents.prime(edge.node.id, edge.node);
        return connection;
      },
    },
    {
      name: 'AgentConnection',
      description: 'A page of agents.',
      fields: (c) => ({
        totalCount: c.int({
          description: 'Agents matching the filter, across all pages.',
          resolve: (connection) => (connection as unknown as { count: () => Promise<number> }).count(),
        }),
      }),
    },
    { name: 'AgentEdge', description: 'An agent in the list, with its cursor.' },
  ),
}));

builder.mutationFields((t) => ({
  registerAgent: t.field({
    type: AgentPayload,
    description: 'Registers an agent, or updates the capabilities and permissions of a registered one (same id). Counts as a heartbeat.',
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
    description: 'Records that a registered agent is alive, optionally with a new status.',
    authScopes: { operator: true },
    args: { input: t.arg({ type: AgentHeartbeatInput, required: true, description: 'Which agent, and its status.' }) },
    resolve: async (_root, { input }, context) => {
      const outcome = await context.engine.agents.heartbeat({ id: plainId(input.id, 'Agent'), status: input.status });
      if (outcome.ok) context.loaders.agents.clear(outcome.value.id);
      return toPayload(outcome);
    },
  }),
}));

import type { HandoffFilter } from '../engine/kernel/ports/handoff-store.js';
import { AgentRef } from '../schema/agent.js';
import { builder } from '../schema/builder.js';
import { pageArgs } from '../schema/connection.js';
import { AgentHandoffRoleEnum, ContextDeliveryConnection } from '../schema/context-delivery.js';
import { HandoffConnection, HandoffFilterInput } from '../schema/handoff.js';
import { HandoffOrderInput } from '../schema/handoff-filter.js';
import { connectionFromPage, pageRequest } from './connection.js';
import { handoffConnection, toHandoffOrder, toHandoffQuery } from './handoff-list.js';

/** `filter` narrowed to handoffs naming `agentId` on `role`'s side (its own `agent` condition gives way). */
function agentFilter(filter: HandoffFilter, agentId: string, role: 'SOURCE' | 'TARGET' | 'ANY'): HandoffFilter {
  const { agent: _replaced, ...rest } = filter;
  if (role === 'SOURCE') return { ...rest, sourceAgent: agentId };
  if (role === 'TARGET') return { ...rest, targetAgent: agentId };
  return { ...rest, agent: agentId };
}

builder.objectFields(AgentRef, (t) => ({
  inbox: t.field({
    type: ContextDeliveryConnection,
    description: 'What handoffs handed to this agent (one delivery per handoff), newest first.',
    authScopes: (agent) => ({ viewer: true, actingAgent: agent.id }),
    args: pageArgs(t.arg),
    resolve: (agent, args, context) =>
      connectionFromPage(
        () => context.engine.deliveries.page(agent.id, pageRequest(args)),
        () => context.engine.deliveries.count(agent.id),
      ),
  }),
  handoffs: t.field({
    type: HandoffConnection,
    description:
      'Handoffs naming this agent, newest first. Reliability-test traffic is left out unless filter.includeTests or filter.testId.',
    authScopes: (agent) => ({ viewer: true, actingAgent: agent.id }),
    args: {
      ...pageArgs(t.arg),
      role: t.arg({
        type: AgentHandoffRoleEnum,
        required: false,
        defaultValue: 'ANY',
        description: 'Which side the agent is on (default ANY).',
      }),
      filter: t.arg({
        type: HandoffFilterInput,
        required: false,
        description: 'Narrow the list further (its `agent` is replaced by this agent).',
      }),
      orderBy: t.arg({
        type: HandoffOrderInput,
        required: false,
        description: 'Sort order (default CREATED_AT DESC).',
      }),
    },
    resolve: (agent, args, context) =>
      handoffConnection(context, toHandoffQuery(args.filter), args, toHandoffOrder(args.orderBy), (filter) =>
        agentFilter(filter, agent.id, args.role ?? 'ANY'),
      ),
  }),
}));

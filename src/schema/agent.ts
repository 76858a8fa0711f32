import { AGENT_STATUSES, type Agent, type AgentStatus } from '../engine/agents/agent.js';
import { builder } from './builder.js';
import { connectionType } from './connection.js';
import { enumValues } from './enum-values.js';
import type { LoadNodes } from './load-nodes.js';
import { payloadType } from './user-error.js';

const STATUS_DOCS: Record<AgentStatus, string> = {
  READY: 'Heartbeating and able to take work.',
  BUSY: 'Heartbeating but busy: cannot take a handoff now (VR004 fails).',
  OFFLINE: 'Said it is offline, or its last heartbeat is older than the heartbeat window (AGENT_HEARTBEAT_WINDOW_MS).',
};

export const AgentStatusEnum = builder.enumType('AgentStatus', {
  description: 'What an agent reads as now. A stale heartbeat reads as OFFLINE whatever the agent last reported.',
  values: enumValues(AGENT_STATUSES, STATUS_DOCS),
});

export const AgentRef = builder.objectRef<Agent>('Agent');

/** Declares Agent a node (fetchable by global id); the resolvers layer supplies how agents are loaded. */
export function implementAgentNode(loadMany: LoadNodes<Agent>) {
  builder.node(AgentRef, {
    description:
      'A worker that handoffs move work between: registered with capabilities and permissions, kept alive by heartbeats.',
    id: { resolve: (a) => a.id, description: 'Global id. `agent(id:)` also accepts the plain `agentId`.' },
    loadMany,
    isTypeOf: (value) =>
      typeof value === 'object' && value !== null && 'reportedStatus' in value && 'permissions' in value,
  });
}

builder.objectFields(AgentRef, (t) => ({
  agentId: t.exposeString('id', { description: 'The plain id, e.g. agent_2, as handoffs name it.' }),
  capabilities: t.exposeStringList('capabilities', { description: 'What the agent can do, e.g. "planning".' }),
  permissions: t.exposeStringList('permissions', {
    description: 'What the agent may do; VR007 looks for "handoff:send" (source) and "handoff:receive" (target).',
  }),
  reportedStatus: t.field({
    type: AgentStatusEnum,
    description: 'What the agent last reported about itself, however long ago.',
    resolve: (agent) => agent.reportedStatus,
  }),
  lastHeartbeatAt: t.expose('lastHeartbeatAt', {
    type: 'DateTime',
    description: 'When the agent last registered or sent a heartbeat.',
  }),
  registeredAt: t.expose('registeredAt', { type: 'DateTime', description: 'When the agent first registered.' }),
  updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When the agent last changed or heartbeated.' }),
}));

export const RegisterAgentInput = builder.inputType('RegisterAgentInput', {
  description:
    'Registers an agent, or updates the capabilities and permissions of one already registered. Counts as a heartbeat.',
  fields: (t) => ({
    id: t.id({
      required: true,
      description:
        'The plain agent id (1–128 letters, digits or _ . : @ -); the global id of a registered agent also names it.',
    }),
    capabilities: t.stringList({
      required: false,
      description: 'What the agent can do. Replaces the stored list; empty when omitted.',
    }),
    permissions: t.stringList({
      required: false,
      description:
        'What the agent may do, e.g. "handoff:send", "handoff:receive". Replaces the stored list; empty when omitted.',
    }),
    status: t.field({ type: AgentStatusEnum, required: false, description: 'Reported status; READY when omitted.' }),
  }),
});

export const AgentHeartbeatInput = builder.inputType('AgentHeartbeatInput', {
  description: 'Tells the registry an agent is alive, optionally with a new status.',
  fields: (t) => ({
    id: t.id({ required: true, description: 'Plain or global id of a registered agent.' }),
    status: t.field({
      type: AgentStatusEnum,
      required: false,
      description: 'New reported status; unchanged when omitted.',
    }),
  }),
});

export const AgentFilterInput = builder.inputType('AgentFilter', {
  description: 'Narrows the agents list; all given conditions must hold.',
  fields: (t) => ({
    status: t.field({ type: [AgentStatusEnum], required: false, description: 'Effective statuses to include.' }),
    capability: t.string({ required: false, description: 'Only agents with this capability.' }),
  }),
});

export const AgentConnection = connectionType(AgentRef, 'Agent', 'agents', 'An agent in the list, with its cursor.');

export const AgentPayload = payloadType(
  'Agent',
  'agent',
  AgentRef,
  'The agent registered or heartbeated, or userErrors.',
);

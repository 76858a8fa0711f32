import type { A2AAgentLink } from '../engine/a2a/a2a-agent.js';
import { builder } from './builder.js';
import { payloadType } from './user-error.js';

type Skill = A2AAgentLink['card']['skills'][number];

export const A2ASkillRef = builder.objectRef<Skill>('A2ASkill').implement({
  description: "One skill an A2A agent's card lists: its id is one of the agent's capabilities.",
  fields: (t) => ({
    id: t.exposeString('id', { description: 'The skill id (a capability of the agent).' }),
    name: t.exposeString('name', { description: 'Its name.' }),
    description: t.exposeString('description', { description: 'What it does, in the card’s words.' }),
    tags: t.exposeStringList('tags', { description: 'Its keywords.' }),
  }),
});

export const A2AAgentRef = builder.objectRef<A2AAgentLink>('A2AAgent').implement({
  description:
    'An agent reached over A2A: registered from its Agent Card, which the server reads again every A2A_CARD_REFRESH_MS. AGENT_TASK steps offered to it are sent to it as A2A tasks by the server itself.',
  fields: (t) => ({
    agentId: t.exposeString('agentId', { description: 'The registry agent it is (handoffs and steps name it).' }),
    cardUrl: t.exposeString('cardUrl', { description: 'Where its Agent Card is read.' }),
    name: t.string({ description: "The card's name.", resolve: (link) => link.card.name }),
    description: t.string({ description: "The card's description.", resolve: (link) => link.card.description }),
    version: t.string({ description: "The agent's version, as its card says.", resolve: (link) => link.card.version }),
    url: t.string({ description: 'The interface the server calls.', resolve: (link) => link.card.url }),
    protocolBinding: t.string({
      description: 'JSONRPC or HTTP+JSON.',
      resolve: (link) => link.card.protocolBinding,
    }),
    protocolVersion: t.string({
      description: 'The A2A version that interface speaks (1.0, or 0.3).',
      resolve: (link) => link.card.protocolVersion,
    }),
    streaming: t.boolean({
      description: 'True: its tasks are followed as streams (SSE); false: polled with back-off up to A2A_POLL_MAX_MS.',
      resolve: (link) => link.card.streaming,
    }),
    pushNotifications: t.boolean({
      description:
        'The card says it pushes task updates: when it does not stream and A2A_PUBLIC_URL is set, it is given a push config (a notification makes the server read the task at once; polling goes on meanwhile).',
      resolve: (link) => link.card.pushNotifications,
    }),
    skills: t.field({ type: [A2ASkillRef], description: "The card's skills.", resolve: (link) => link.card.skills }),
    card: t.field({
      type: 'JSON',
      description: 'The card as last read (as the A2A client library normalised it).',
      resolve: (link) => link.card.raw,
    }),
    cardReadAt: t.expose('cardReadAt', { type: 'DateTime', description: 'When the card was last read successfully.' }),
    lastError: t.exposeString('lastError', {
      nullable: true,
      description: 'Why the last reading failed; null when it succeeded (the last good card is kept meanwhile).',
    }),
    lastErrorAt: t.expose('lastErrorAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the last reading failed.',
    }),
    registeredAt: t.expose('registeredAt', { type: 'DateTime', description: 'When it was first registered.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When its card was last read or failed to be.' }),
  }),
});

export const RegisterA2AAgentInput = builder.inputType('RegisterA2AAgentInput', {
  description: 'An A2A agent to hand work to, by its Agent Card.',
  fields: (t) => ({
    cardUrl: t.string({
      required: true,
      description:
        "Its Agent Card's URL, e.g. http://agent.example.com/.well-known/agent-card.json. The host (and the card's interface host) must be in WEBHOOK_ALLOW_HOSTS.",
    }),
    agentId: t.id({
      required: false,
      description:
        "The registry id to give it (1–128 letters, digits or _ . : @ -); default: the card's name as a slug.",
    }),
    permissions: t.stringList({
      required: false,
      description: 'Its permissions; default: those it has if registered already, else ["handoff:receive"].',
    }),
  }),
});

export const A2AAgentIdInput = builder.inputType('A2AAgentIdInput', {
  description: 'Which A2A agent.',
  fields: (t) => ({ agentId: t.id({ required: true, description: 'Its registry agent id.' }) }),
});

export const A2AAgentPayload = payloadType(
  'A2AAgent',
  'a2aAgent',
  A2AAgentRef,
  'The A2A agent as registered or read now, or userErrors (UNREACHABLE, HOST_NOT_ALLOWED, INVALID_VALUE, NOT_FOUND).',
);

import type { ContextDelivery } from '../engine/agents/context-delivery.js';
import { builder } from './builder.js';
import { connectionType } from './connection.js';
import { enumValues } from './enum-values.js';
import { payloadType } from './user-error.js';

/** How the digest's JSON is written, for clients computing it (docs/agents-from-anywhere.md, "The canonical digest"). */
const CANONICAL_JSON =
  "Canonical JSON is JavaScript's JSON.stringify of the value with object keys sorted at every level by UTF-16 code units, and no spaces: " +
  'non-ASCII characters as they are, numbers as JavaScript writes them (1 for 1.0, 0.00001, 1.5e-7). In Python, ' +
  'json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False) gives the same text except for keys ' +
  'outside the Basic Multilingual Plane (emoji, sorted by code point) and floats Python writes its own way (1.0, 1e-05, 1.5e-07, 1e+16); the Python worker ' +
  '(clients/python, canonical_json) follows JavaScript exactly.';

export const ContextDeliveryRef = builder.objectRef<ContextDelivery>('ContextDelivery').implement({
  description:
    "What one handoff handed to one agent: the context keys its TRANSFER_CONTEXT steps copied into the agent's inbox, their digest, and the agent's receipt.",
  fields: (t) => ({
    handoffId: t.exposeString('handoffId', { description: 'The handoff that delivered it (its handoffId).' }),
    agentId: t.exposeString('agentId', { description: 'The agent it was delivered to.' }),
    keys: t.stringList({
      description: 'The context keys delivered and not withdrawn, sorted.',
      resolve: (d) => Object.keys(d.values).sort(),
    }),
    values: t.field({
      type: 'JSON',
      description: 'The keys and their values, as the handoff carried them.',
      resolve: (d) => d.values,
    }),
    digest: t.exposeString('digest', {
      description: `SHA-256 (hex) of the canonical JSON of \`values\`. ${CANONICAL_JSON} Acknowledge with the digest you compute from what you read.`,
    }),
    deliveredAt: t.expose('deliveredAt', { type: 'DateTime', description: 'When the first key arrived.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When keys last arrived or were withdrawn.' }),
    acknowledged: t.boolean({
      description: 'True when the agent has acknowledged exactly what the delivery holds now.',
      resolve: (d) => d.acknowledgedAt !== null,
    }),
    acknowledgedAt: t.expose('acknowledgedAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When the agent acknowledged the current values; null until then, and again after they change.',
    }),
    acknowledgedBy: t.exposeString('acknowledgedBy', {
      nullable: true,
      description: "Who acknowledged: the API key's name.",
    }),
    withdrawnAt: t.expose('withdrawnAt', {
      type: 'DateTime',
      nullable: true,
      description: 'When a rollback withdrew the last of its keys; null while it holds values.',
    }),
  }),
});

export const AgentHandoffRoleEnum = builder.enumType('AgentHandoffRole', {
  description: 'Which side of a handoff an agent is on.',
  values: enumValues(['SOURCE', 'TARGET', 'ANY'] as const, {
    SOURCE: 'The agent hands work over (sourceAgent).',
    TARGET: 'The agent receives the work (targetAgent).',
    ANY: 'Either side.',
  }),
});

export const AcknowledgeDeliveryInput = builder.inputType('AcknowledgeDeliveryInput', {
  description: "An agent's receipt of what a handoff delivered to it.",
  fields: (t) => ({
    handoffId: t.id({ required: true, description: 'The handoff that delivered it (handoffId or global id).' }),
    agentId: t.id({ required: true, description: 'The receiving agent (plain or global id).' }),
    digest: t.string({
      required: true,
      description: `The SHA-256 (hex) of the canonical JSON of the values you read. ${CANONICAL_JSON} A digest that does not match is refused (DIGEST_MISMATCH).`,
    }),
  }),
});

export const ContextDeliveryPayload = payloadType<ContextDelivery>(
  'ContextDelivery',
  'delivery',
  ContextDeliveryRef,
  'The acknowledged delivery, or userErrors (nothing changed).',
);

export const ContextDeliveryConnection = connectionType(
  ContextDeliveryRef,
  'ContextDelivery',
  'deliveries',
  'A delivery in the inbox, with its cursor.',
);

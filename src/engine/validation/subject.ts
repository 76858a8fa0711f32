import { type AgentFacts, unregisteredAgentFacts } from '../agents/agent-service.js';
import { canonicalJson, payloadDigest } from '../shared/canonical-digest.js';

export { canonicalJson, payloadDigest };

/**
 * The validation subject: everything a rule condition can look at, built by the engine
 * from the handoff request, the agent registry and facts derived from the payload.
 */
export interface HandoffFacts {
  handoffId: string | null;
  sourcePhase: string | null;
  targetPhase: string | null;
  sourceAgent: string | null;
  targetAgent: string | null;
  type: string | null;
  priority: string | null;
}

export interface ValidationSubject {
  handoff: HandoffFacts;
  /** The handoff metadata, or the session's context. */
  context: Record<string, unknown>;
  source: AgentFacts;
  target: AgentFacts;
  procedure: { id: string; requiredContextKeys: string[] } | null;
  /** The outputs of the handoff's steps that have succeeded so far, by step id (an agent task's output, …). */
  outputs: Record<string, Record<string, unknown> | null>;
  derived: {
    /** Required context keys that are absent or null. */
    missingContextKeys: string[];
    /** SHA-256 hex of the canonical JSON of context.payload; null without a payload. */
    payloadDigest: string | null;
    /** Whether context.payloadDigest equals payloadDigest; null when no digest is declared. */
    payloadDigestMatches: boolean | null;
    /** Context keys already transferred to the target (set by the handoff runner). */
    transferredKeys: string[];
    /**
     * Whether the target has acknowledged, with the right digest, exactly what its delivery holds
     * now. Null when the procedure requires no receipt (no transfer_context step with
     * params.awaitReceipt) or nothing has been transferred yet.
     */
    receiptConfirmed: boolean | null;
  };
}

/** What a caller supplies; the engine adds registry facts and derived ones. */
export interface SubjectInput {
  handoff?: Partial<HandoffFacts> | null;
  context?: Record<string, unknown> | null;
  procedure?: { id: string; requiredContextKeys: string[] } | null;
  transferredKeys?: string[] | null;
  outputs?: Record<string, Record<string, unknown> | null> | null;
  /** See `derived.receiptConfirmed`; the handoff runner sets it. */
  receiptConfirmed?: boolean | null;
}

function handoffFacts(input: Partial<HandoffFacts> | null | undefined): HandoffFacts {
  return {
    handoffId: input?.handoffId ?? null,
    sourcePhase: input?.sourcePhase ?? null,
    targetPhase: input?.targetPhase ?? null,
    sourceAgent: input?.sourceAgent ?? null,
    targetAgent: input?.targetAgent ?? null,
    type: input?.type ?? null,
    priority: input?.priority ?? null,
  };
}

export function deriveFacts(
  context: Record<string, unknown>,
  requiredContextKeys: readonly string[],
  transferredKeys: readonly string[],
  receiptConfirmed: boolean | null = null,
): ValidationSubject['derived'] {
  const digest = context.payload === undefined ? null : payloadDigest(context.payload);
  const declared = context.payloadDigest;
  let matches: boolean | null = null;
  if (declared !== undefined && declared !== null) {
    matches = typeof declared === 'string' && digest !== null && declared.toLowerCase() === digest;
  }
  return {
    missingContextKeys: requiredContextKeys.filter(
      (key) => !Object.hasOwn(context, key) || context[key] === undefined || context[key] === null,
    ),
    payloadDigest: digest,
    payloadDigestMatches: matches,
    transferredKeys: [...transferredKeys],
    receiptConfirmed,
  };
}

export async function buildSubject(
  input: SubjectInput,
  agentFacts: (id: string | null) => Promise<AgentFacts>,
): Promise<ValidationSubject> {
  const handoff = handoffFacts(input.handoff);
  const context = input.context ?? {};
  const [source, target] = await Promise.all([agentFacts(handoff.sourceAgent), agentFacts(handoff.targetAgent)]);
  return {
    handoff,
    context,
    source,
    target,
    procedure: input.procedure ?? null,
    outputs: input.outputs ?? {},
    derived: deriveFacts(
      context,
      input.procedure?.requiredContextKeys ?? [],
      input.transferredKeys ?? [],
      input.receiptConfirmed ?? null,
    ),
  };
}

/** A representative subject that new conditions are test-run against before being stored. */
export function sampleSubject(): ValidationSubject {
  const context = { phaseComplete: true, resources: [{ name: 'r', available: true }], payload: { a: 1 } };
  return {
    handoff: handoffFacts({ handoffId: 'h', sourceAgent: 'a', targetAgent: 'b' }),
    context,
    source: unregisteredAgentFacts('a'),
    target: unregisteredAgentFacts('b'),
    procedure: { id: 'p', requiredContextKeys: ['task'] },
    outputs: { review: { approved: true } },
    derived: deriveFacts(context, ['task'], []),
  };
}

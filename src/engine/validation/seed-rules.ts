import { DEFAULT_RULE_TIMEOUT_MS, type ValidationRule } from './rule.js';

type SeedRule = Pick<ValidationRule, 'id' | 'name' | 'description' | 'severity' | 'condition'>;

/**
 * The seed report's eight rules, made real. Each condition reads the validation subject
 * (subject.ts): `context` is the handoff metadata or the session's context, `source` and
 * `target` are registry facts about the agents, `derived` holds facts the engine computes.
 */
const SEED_RULES: SeedRule[] = [
  {
    id: 'VR001',
    name: 'Phase Completion Check',
    severity: 'CRITICAL',
    description: 'The source phase is marked complete: context.phaseComplete must be true.',
    condition: { 'context.phaseComplete': true },
  },
  {
    id: 'VR002',
    name: 'Resource Availability Check',
    severity: 'CRITICAL',
    description:
      'Every resource the handoff lists is available: no entry of the list context.resources (e.g. [{ "name": "db", "available": true }]) may have available other than true. A handoff that lists no resources passes.',
    condition: { 'context.resources': { $not: { $elemMatch: { available: { $ne: true } } } } },
  },
  {
    id: 'VR003',
    name: 'State Consistency Check',
    severity: 'HIGH',
    description:
      'Source and target state agree: context.sourceStateChecksum must be present and equal to context.targetStateChecksum.',
    condition: {
      'context.sourceStateChecksum': { $exists: true, $ne: null },
      $expr: { $eq: ['$context.sourceStateChecksum', '$context.targetStateChecksum'] },
    },
  },
  {
    id: 'VR004',
    name: 'Agent Readiness Validation',
    severity: 'CRITICAL',
    description: 'The target agent is registered and READY (a stale heartbeat reads as OFFLINE, a busy agent as BUSY).',
    condition: { 'target.registered': true, 'target.status': 'READY' },
  },
  {
    id: 'VR005',
    name: 'Context Transfer Validation',
    severity: 'CRITICAL',
    description:
      'Every context key the procedure requires (requiredContextKeys) is present and not null: derived.missingContextKeys must be empty. When the procedure requires a receipt (a transfer_context step with params.awaitReceipt), the target must also have acknowledged, with the right digest, exactly what its delivery holds now: derived.receiptConfirmed must not be false.',
    condition: { 'derived.missingContextKeys': { $size: 0 }, 'derived.receiptConfirmed': { $ne: false } },
  },
  {
    id: 'VR006',
    name: 'Connection Stability Check',
    severity: 'HIGH',
    description:
      "The target agent's last heartbeat is within the heartbeat window (AGENT_HEARTBEAT_WINDOW_MS): target.heartbeatFresh must be true.",
    condition: { 'target.heartbeatFresh': true },
  },
  {
    id: 'VR007',
    name: 'Permission Validation',
    severity: 'MEDIUM',
    description:
      'The source agent may send and the target may receive: their permissions include "handoff:send" and "handoff:receive".',
    condition: { 'source.permissions': 'handoff:send', 'target.permissions': 'handoff:receive' },
  },
  {
    id: 'VR008',
    name: 'Data Integrity Check',
    severity: 'HIGH',
    description:
      'The payload arrived intact: when context.payloadDigest is declared it must equal the SHA-256 (hex) of the canonical JSON (sorted keys) of context.payload. A handoff that declares no digest passes.',
    condition: { 'derived.payloadDigestMatches': { $ne: false } },
  },
];

/**
 * Seed rules whose condition changed: a stored seed still holding the earlier condition (nobody
 * edited it) is brought up to date at start-up; an edited one is left as its admin made it.
 */
export const SEED_RULE_UPGRADES: { id: string; from: unknown }[] = [
  { id: 'VR005', from: { 'derived.missingContextKeys': { $size: 0 } } },
];

export function seedRules(now: number): ValidationRule[] {
  return SEED_RULES.map((rule) => ({
    ...rule,
    enabled: true,
    timeoutMs: DEFAULT_RULE_TIMEOUT_MS,
    version: 1,
    createdAt: now,
    updatedAt: now,
  }));
}

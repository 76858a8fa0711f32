import type { AgentService } from '../agents/agent-service.js';
import type { Procedure } from '../kernel/procedures/procedure.js';
import { stringList } from '../kernel/steps/step-kind.js';
import { type Clock, repeatEvery } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';

/** What every iteration of a test hands over, and between whom. */
export interface Provisioned {
  sourceAgent: string;
  targetAgent: string;
  sourcePhase: string;
  targetPhase: string;
  metadata: Record<string, unknown>;
}

/** Step kinds the harness cannot drive on its own (nobody would send the signal). */
const UNSUPPORTED_KINDS = new Set(['await_signal']);

export function unsupportedSteps(procedure: Procedure): string[] {
  return procedure.steps.filter((step) => UNSUPPORTED_KINDS.has(step.kind)).map((step) => step.id);
}

/**
 * A context that passes the seed gates (VR001–VR008): the phase is complete, resources are
 * available, checksums agree, and every key the procedure requires or transfers is present.
 * Keys the seed procedures do not know get a placeholder value.
 */
export function passingContext(procedure: Procedure, testId: string): Record<string, unknown> {
  const checksum = `rt:${testId}`;
  const context: Record<string, unknown> = {
    phaseComplete: true,
    resources: [{ name: 'reliability-test', available: true }],
    state: { testId },
    sourceStateChecksum: checksum,
    targetStateChecksum: checksum,
    task: { title: 'reliability test iteration', testId },
    knowledge: ['reliability-test'],
  };
  const transferred = procedure.steps
    .filter((step) => step.kind === 'transfer_context')
    .flatMap((step) => stringList(step.params.keys) ?? []);
  // A step run once per item over a context list gets a short list of its own.
  const lists = procedure.steps.flatMap((step) => {
    const [root, key, ...deeper] = step.forEach?.items.split('.') ?? [];
    return root === 'context' && key && deeper.length === 0 ? [key] : [];
  });
  for (const key of lists) {
    if (!Object.hasOwn(context, key))
      Object.defineProperty(context, key, {
        value: [1, 2, 3].map((n) => `${testId}-item-${n}`),
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
  for (const key of [...procedure.requiredContextKeys, ...transferred]) {
    // Keys are user text: an own-property check, and a definition rather than an assignment ("__proto__").
    if (!Object.hasOwn(context, key))
      Object.defineProperty(context, key, {
        value: { provisionedBy: testId },
        enumerable: true,
        writable: true,
        configurable: true,
      });
  }
  return context;
}

export function agentIds(testId: string): { source: string; target: string } {
  return { source: `${testId}-source`, target: `${testId}-target` };
}

/**
 * Registers the test's own READY source and target agents (send/receive permissions) and
 * keeps them heartbeating while the test runs; `retire` reports them OFFLINE at the end.
 */
export async function provisionAgents(
  agents: AgentService,
  testId: string,
  clock: Clock,
  logger: Logger,
): Promise<{ ids: { source: string; target: string }; retire(): Promise<void> }> {
  const ids = agentIds(testId);
  for (const [id, permission] of [
    [ids.source, 'handoff:send'],
    [ids.target, 'handoff:receive'],
  ] as const) {
    const registered = await agents.register({
      id,
      capabilities: ['reliability-test'],
      permissions: [permission],
      status: 'READY',
    });
    if (!registered.ok)
      throw new Error(`could not register agent ${id}: ${registered.errors.map((e) => e.message).join('; ')}`);
  }
  const beat = (status: 'READY' | 'OFFLINE') =>
    Promise.all([ids.source, ids.target].map((id) => agents.heartbeat({ id, status })));
  const stopHeartbeats = repeatEvery(clock, Math.max(50, Math.floor(agents.heartbeatWindowMs / 3)), async () => {
    await beat('READY').catch((error) =>
      logger.warn({ testId, err: error }, 'reliability test agents: heartbeat failed'),
    );
  });
  return {
    ids,
    async retire() {
      stopHeartbeats();
      await beat('OFFLINE').catch((error) =>
        logger.warn({ testId, err: error }, 'reliability test agents: could not retire'),
      );
    },
  };
}

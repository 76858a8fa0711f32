import type { Handoff } from '../kernel/handoff/handoff.js';
import type { FaultHook } from '../kernel/runner/run-action.js';

/**
 * The engine's fault hook: reliability tests register an injector for their test id and
 * it is consulted before every attempt of that test's handoffs (production traffic never is).
 */
export class FaultInjectors implements FaultHook {
  private readonly byTest = new Map<string, FaultHook>();

  register(testId: string, hook: FaultHook): () => void {
    this.byTest.set(testId, hook);
    return () => this.byTest.delete(testId);
  }

  async beforeAttempt(handoff: Handoff, stepId: string, attempt: number, signal: () => AbortSignal): Promise<void> {
    const hook = handoff.test ? this.byTest.get(handoff.test.testId) : undefined;
    if (hook) await hook.beforeAttempt(handoff, stepId, attempt, signal);
  }
}

import { type Handoff, isFinal } from '../kernel/handoff/handoff.js';
import type { HandoffEvent } from '../kernel/handoff/handoff-event.js';
import type { HandoffService } from '../kernel/handoff-service.js';
import type { Clock } from '../shared/clock.js';
import type { Provisioned } from './test-fixture.js';
import type { IterationRecord } from './test-stats.js';

export interface IterationContext {
  handoffs: HandoffService;
  clock: Clock;
  testId: string;
  procedureId: string;
  provisioned: Provisioned;
  timeoutMs: number;
  /** Test start: iteration start times are reported as offsets from it. */
  origin: number;
  /** Aborted when the test is cancelled: the iteration's handoff is cancelled too. */
  cancelled: AbortSignal;
}

/** The handoff id of iteration `index` of a test (the suffix tells the fault hook which iteration it is). */
export function iterationHandoffId(testId: string, index: number): string {
  return `${testId}.${index}`;
}

export function iterationIndexOf(testId: string, handoffId: string): number | null {
  const prefix = `${testId}.`;
  if (!handoffId.startsWith(prefix)) return null;
  const index = Number(handoffId.slice(prefix.length));
  return Number.isInteger(index) && index >= 0 ? index : null;
}

/** What the event stream of one handoff told us. */
interface Observed {
  retries: number;
  gatesFailed: boolean;
  /** Whether the latest failed attempt timed out. */
  lastFailureTimedOut: boolean;
  compensations: number;
  compensationsFailed: number;
}

function observe(observed: Observed, event: HandoffEvent): void {
  switch (event.type) {
    case 'STEP_RETRY_SCHEDULED':
      observed.retries++;
      break;
    case 'GATES_FAILED':
      observed.gatesFailed = true;
      break;
    case 'STEP_FAILED':
      observed.lastFailureTimedOut = event.data?.timeout === true;
      break;
    case 'COMPENSATION_STARTED':
      // One per attempt: a compensation is counted once, at its first.
      if ((event.attempt ?? 1) === 1) observed.compensations++;
      break;
    case 'COMPENSATION_FAILED':
      observed.compensationsFailed++;
      break;
    default:
  }
}

/** Why a handoff that did not complete failed, as error codes. */
function failureCodes(handoff: Handoff, observed: Observed, timedOut: boolean): string[] {
  const codes: string[] = [];
  if (timedOut) codes.push('ITERATION_TIMEOUT');
  else if (observed.gatesFailed) codes.push('GATES_FAILED');
  else codes.push(observed.lastFailureTimedOut ? 'STEP_TIMEOUT' : 'STEP_FAILED');
  if (handoff.status === 'ROLLBACK_FAILED') codes.push('ROLLBACK_FAILED');
  return codes;
}

/**
 * One iteration: a real handoff through the engine, tagged with the test id, followed to its
 * final status. Past `timeoutMs` it is cancelled (and counted ITERATION_TIMEOUT); a test
 * cancel cancels it too (counted CANCELLED, neither success nor failure).
 */
export async function runIteration(context: IterationContext, index: number): Promise<IterationRecord> {
  const { handoffs, clock, provisioned } = context;
  const handoffId = iterationHandoffId(context.testId, index);
  const startedAt = clock.now();
  const record = (fields: Partial<IterationRecord> & Pick<IterationRecord, 'outcome'>): IterationRecord => ({
    index,
    handoffId,
    startMs: startedAt - context.origin,
    latencyMs: clock.now() - startedAt,
    errorCodes: [],
    rolledBack: false,
    rollbackNeeded: false,
    rollbackClean: false,
    retries: 0,
    ...fields,
  });

  const initiated = await handoffs.initiate({
    handoffId,
    procedureId: context.procedureId,
    sourceAgent: provisioned.sourceAgent,
    targetAgent: provisioned.targetAgent,
    sourcePhase: provisioned.sourcePhase,
    targetPhase: provisioned.targetPhase,
    // Test traffic yields to production when the engine's queue is full.
    priority: 'LOW',
    metadata: provisioned.metadata,
    test: { testId: context.testId },
  });
  if (!initiated.ok) return record({ outcome: 'FAILED', handoffId: null, errorCodes: ['INITIATE_FAILED'] });

  let timedOut = false;
  let cancelledByTest = false;
  const stopTimer = new AbortController();
  const cancel = (reason: string) => {
    void handoffs.cancel(handoffId, reason); // INVALID_STATE (already rolling back or final) is fine: it ends anyway
  };
  const onTestCancel = () => {
    if (timedOut) return;
    cancelledByTest = true;
    cancel(`reliability test ${context.testId} cancelled`);
  };
  clock.sleep(context.timeoutMs, stopTimer.signal).then(
    () => {
      if (cancelledByTest) return;
      timedOut = true;
      cancel(`iteration exceeded ${context.timeoutMs} ms`);
    },
    () => undefined,
  );
  if (context.cancelled.aborted) onTestCancel();
  else context.cancelled.addEventListener('abort', onTestCancel, { once: true });

  const observed: Observed = {
    retries: 0,
    gatesFailed: false,
    lastFailureTimedOut: false,
    compensations: 0,
    compensationsFailed: 0,
  };
  try {
    for await (const event of handoffs.progress(handoffId, 0)) observe(observed, event);
    let handoff = await handoffs.get(handoffId);
    // The stream ends early only if the store failed under it: fall back to reading.
    while (handoff && !isFinal(handoff.status)) {
      await clock.sleep(50);
      handoff = await handoffs.get(handoffId);
    }
    if (!handoff) return record({ outcome: 'FAILED', errorCodes: ['HANDOFF_MISSING'] });
    const rollbackNeeded = observed.compensations > 0;
    const rollback = {
      retries: observed.retries,
      rolledBack: handoff.status === 'ROLLED_BACK',
      rollbackNeeded,
      rollbackClean: rollbackNeeded && observed.compensationsFailed === 0 && handoff.status !== 'ROLLBACK_FAILED',
      latencyMs: (handoff.finishedAt ?? clock.now()) - startedAt,
    };
    // A handoff that completed after the timer fired (the cancel lost the race) still took too long.
    if (handoff.status === 'COMPLETED' && rollback.latencyMs <= context.timeoutMs)
      return record({ outcome: 'SUCCEEDED', ...rollback });
    if (handoff.status === 'COMPLETED')
      return record({ outcome: 'FAILED', errorCodes: ['ITERATION_TIMEOUT'], ...rollback });
    if (handoff.status === 'CANCELLED' && cancelledByTest) return record({ outcome: 'CANCELLED', ...rollback });
    return record({ outcome: 'FAILED', errorCodes: failureCodes(handoff, observed, timedOut), ...rollback });
  } finally {
    stopTimer.abort();
    context.cancelled.removeEventListener('abort', onTestCancel);
  }
}

import type { UserError } from '../../shared/user-error.js';
import type { Handoff } from '../handoff/handoff.js';
import type { Procedure } from './procedure.js';

/**
 * A step's `when`: a condition in the validation rules' query language, over what a handoff knows when the
 * step could start. The kernel only declares what it needs; the validation module evaluates (see
 * KernelExtensions.conditions), safely: conditions are data, never code.
 */
export interface ConditionSubject {
  /** The handoff's metadata. */
  context: Record<string, unknown>;
  /** The outputs of the procedure's steps that have succeeded, by step id (a fanned step's: its branches' results). */
  outputs: Record<string, Record<string, unknown> | null>;
  handoff: {
    handoffId: string;
    procedureId: string;
    sourcePhase: string | null;
    targetPhase: string | null;
    sourceAgent: string | null;
    targetAgent: string | null;
    type: string;
    priority: string;
    run: number;
  };
}

export interface ConditionVerdict {
  passed: boolean;
  /** The values the condition looked at, in words ("context.urgent = false"). */
  found: string;
}

export interface ConditionEvaluator {
  /**
   * What is wrong with a condition (empty: it can be evaluated), each problem at `field`, and the subject
   * paths it reads (`context.urgent`, `outputs.review.approved`).
   */
  check(condition: unknown, field: string[]): Promise<{ errors: UserError[]; paths: string[] }>;
  /** Whether `subject` matches; `signal` stops an evaluation that takes too long. Rejects if it cannot be evaluated. */
  test(condition: Record<string, unknown>, subject: ConditionSubject, signal: AbortSignal): Promise<ConditionVerdict>;
}

/** What a step's condition sees of `handoff` now. */
export function conditionSubject(handoff: Handoff, procedure: Pick<Procedure, 'steps'>): ConditionSubject {
  const outputs: ConditionSubject['outputs'] = {};
  procedure.steps.forEach((step, index) => {
    const run = handoff.steps[index];
    if (run?.status === 'SUCCEEDED')
      Object.defineProperty(outputs, step.id, { value: run.output, enumerable: true, writable: true });
  });
  return {
    context: handoff.metadata,
    outputs,
    handoff: {
      handoffId: handoff.id,
      procedureId: handoff.procedureId,
      sourcePhase: handoff.sourcePhase,
      targetPhase: handoff.targetPhase,
      sourceAgent: handoff.sourceAgent,
      targetAgent: handoff.targetAgent,
      type: handoff.type,
      priority: handoff.priority,
      run: handoff.run ?? 1,
    },
  };
}

/** The value at a dotted path of a subject (`context.reviewers`, `outputs.plan.agents`), or undefined. */
export function valueAtPath(subject: unknown, path: string): unknown {
  let current = subject;
  for (const segment of path.split('.')) {
    if (Array.isArray(current) && /^\d+$/.test(segment)) current = current[Number(segment)];
    else if (typeof current === 'object' && current !== null && Object.hasOwn(current, segment))
      current = (current as Record<string, unknown>)[segment];
    else return undefined;
  }
  return current;
}

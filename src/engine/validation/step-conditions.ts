import type { ConditionEvaluator, ConditionSubject } from '../kernel/procedures/step-condition.js';
import { type Clock, startTimeout } from '../shared/clock.js';
import {
  type CompiledCondition,
  checkCondition,
  compileCondition,
  PROBE_TIMEOUT_MS,
  probeCondition,
  referencedPaths,
} from './condition.js';
import { usesRegex } from './condition-sandbox.js';

/**
 * Steps' conditions (`when`) in the rules' query language, evaluated the rules' way: mingo, never code,
 * regular expressions only in the sandbox's worker threads, each condition compiled once.
 */

/** What a new step condition is test-run against before the procedure is stored. */
function sampleSubject(): ConditionSubject {
  return {
    context: { reviewers: ['alice', 'bob'], urgent: true, payload: { a: 1 } },
    outputs: { review: { approved: true, results: [] } },
    handoff: {
      handoffId: 'h',
      procedureId: 'P',
      sourcePhase: null,
      targetPhase: null,
      sourceAgent: 'a',
      targetAgent: 'b',
      type: 'AGENT_HANDOFF',
      priority: 'MEDIUM',
      run: 1,
    },
  };
}

const MAX_COMPILED = 1_000;

export function stepConditions(clock: Clock): ConditionEvaluator {
  const compiled = new Map<string, CompiledCondition>();
  return {
    async check(condition, field) {
      const errors = checkCondition(condition, sampleSubject(), field);
      if (errors.length === 0 && usesRegex(condition)) {
        const deadline = new AbortController();
        const cancel = startTimeout(clock, PROBE_TIMEOUT_MS, () => deadline.abort(new Error('sample run timed out')));
        errors.push(
          ...(await probeCondition(condition as Record<string, unknown>, sampleSubject(), field, deadline.signal)),
        );
        cancel();
      }
      const paths = errors.length === 0 ? [...referencedPaths(condition as Record<string, unknown>)] : [];
      return { errors, paths };
    },
    async test(condition, subject, signal) {
      const key = JSON.stringify(condition);
      let query = compiled.get(key);
      if (!query) {
        if (compiled.size >= MAX_COMPILED) compiled.clear();
        query = compileCondition(condition);
        compiled.set(key, query);
      }
      return { passed: await query.test(subject, signal), found: query.found(subject) };
    },
  };
}

import { type Clock, startTimeout } from '../shared/clock.js';
import type { Logger } from '../shared/logger.js';
import { type CompiledCondition, compileCondition } from './condition.js';
import type { RuleResult, ValidationRule } from './rule.js';
import type { ValidationSubject } from './subject.js';

export interface Verdict {
  passed: boolean;
  /** A sentence for people: the rule, what it asks for, and what was found. */
  message: string;
  /** For tools: the condition and the values it read, as JSON text. */
  detail?: string;
}

/** Decides one rule against a subject. The default is the mingo condition; tests inject others. */
export type RuleEvaluator = (
  rule: ValidationRule,
  subject: ValidationSubject,
  signal: AbortSignal,
) => Verdict | Promise<Verdict>;

const compiled = new Map<string, CompiledCondition>();
const MAX_COMPILED = 1_000;

/**
 * Tests the rule's condition. The message is a sentence: the rule's name and verdict, its description
 * (what it asks for, in the words of whoever wrote it) when it failed, and the fields it read with the
 * values found there. The detail keeps the raw condition and values for tools.
 */
export const conditionEvaluator: RuleEvaluator = async (rule, subject, signal) => {
  const key = `${rule.id}@${rule.version}@${rule.updatedAt}`;
  let condition = compiled.get(key);
  if (!condition) {
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    condition = compileCondition(rule.condition);
    compiled.set(key, condition);
  }
  const passed = await condition.test(subject, signal);
  const detail = `Expected ${condition.expected}; found ${condition.found(subject)}`;
  const found = condition.foundInWords(subject);
  if (passed) return { passed, message: `${rule.name} passed${found ? `: found ${found}` : ''}.`, detail };
  const description = rule.description.trim();
  const asks = description ? ` ${/[.!?]$/.test(description) ? description : `${description}.`}` : '';
  return { passed, message: `${rule.name} failed.${asks}${found ? ` Found ${found}.` : ''}`, detail };
};

class RuleTimeout extends Error {}

/** Why a rule's signal aborts once the rule is decided: a constant, so no Error is made per rule. */
const RULE_FINISHED = Object.freeze(new Error('rule finished'));

export interface RunRulesOptions {
  clock: Clock;
  logger: Logger;
  evaluator: RuleEvaluator;
  /** Called as each result completes (in completion order), before the run finishes. */
  onResult?: (result: RuleResult) => Promise<void> | void;
}

/** A result for a rule id that names no stored rule: it cannot be checked, so it is an error. */
export function missingRuleResult(ruleId: string, seq: number, at: number): RuleResult {
  return {
    ruleId,
    ruleName: ruleId,
    severity: 'CRITICAL',
    status: 'ERROR',
    message: `No validation rule "${ruleId}" exists`,
    durationMs: 0,
    seq,
    at,
  };
}

async function judge(
  rule: ValidationRule,
  subject: ValidationSubject,
  options: RunRulesOptions,
): Promise<Pick<RuleResult, 'status' | 'message' | 'detail'>> {
  if (!rule.enabled) return { status: 'SKIPPED', message: 'The rule is disabled' };
  const controller = new AbortController();
  let expire!: (error: RuleTimeout) => void;
  const timeout = new Promise<never>((_, reject) => (expire = reject));
  timeout.catch(() => undefined); // the losing side of the race must not surface as unhandled
  const cancelTimeout = startTimeout(options.clock, rule.timeoutMs, () => expire(new RuleTimeout()));
  try {
    const verdict = await Promise.race([
      Promise.resolve().then(() => options.evaluator(rule, subject, controller.signal)),
      timeout,
    ]);
    return { status: verdict.passed ? 'PASSED' : 'FAILED', message: verdict.message, detail: verdict.detail ?? null };
  } catch (error) {
    if (error instanceof RuleTimeout)
      return { status: 'ERROR', message: `The rule did not finish within ${rule.timeoutMs} ms` };
    options.logger.warn({ err: error, ruleId: rule.id }, 'validation rule threw');
    return {
      status: 'ERROR',
      message: `The rule could not be evaluated: ${error instanceof Error ? error.message : String(error)}`,
    };
  } finally {
    cancelTimeout();
    controller.abort(RULE_FINISHED);
  }
}

/** Rules started per turn of the event loop: a condition is tested synchronously when its rule starts. */
const RULES_PER_TURN = 25;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * Runs every rule against the subject, each under its own timeout, all of them in flight together;
 * they start RULES_PER_TURN at a time with a turn of the event loop between, so two hundred rules do
 * not hold up every other request while they are tested. A rule that throws or times out becomes an
 * ERROR result; nothing here rejects.
 */
export async function runRules(
  rules: (ValidationRule | { missing: string })[],
  subject: ValidationSubject,
  options: RunRulesOptions,
): Promise<RuleResult[]> {
  let seq = 0;
  const runOne = async (rule: ValidationRule | { missing: string }): Promise<RuleResult> => {
    const startedAt = options.clock.now();
    let result: RuleResult;
    if ('missing' in rule) {
      result = missingRuleResult(rule.missing, 0, startedAt);
    } else {
      const verdict = await judge(rule, subject, options);
      const at = options.clock.now();
      result = {
        ruleId: rule.id,
        ruleName: rule.name,
        severity: rule.severity,
        ...verdict,
        durationMs: at - startedAt,
        seq: 0,
        at,
      };
    }
    result.seq = ++seq;
    await options.onResult?.(result);
    return result;
  };
  const running: Promise<RuleResult>[] = [];
  for (let index = 0; index < rules.length; index++) {
    if (index > 0 && index % RULES_PER_TURN === 0) await nextTurn();
    const run = runOne(rules[index]);
    // Promise.all below reports a failure (of onResult); until it is reached, one must not surface as unhandled.
    run.catch(() => undefined);
    running.push(run);
  }
  return Promise.all(running);
}

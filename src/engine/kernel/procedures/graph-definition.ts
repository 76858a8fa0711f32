import type { UserError, UserErrorCode } from '../../shared/user-error.js';
import { usesPlaceholders } from './branch-definition.js';
import { JOIN_MODES, JOIN_OTHERS, type Join } from './procedure.js';
import type { ProcedureInput, StepInput } from './procedure-definition.js';
import type { ConditionEvaluator } from './step-condition.js';
import { downstreamOf, findCycle, upstreamOf } from './step-graph.js';

/**
 * The checks of a procedure as a graph, when it is written: every dependency names a step, no cycle, no
 * step that could never run, joins that can be met, conditions that can be evaluated and read only what
 * the step can know, lists to run over that are paths into the context or an earlier step's output.
 * Every problem names the step (`input.steps.<i>.<field>`).
 */

const MAX_PARALLEL = 100;
const PATH = /^(context|outputs)(\.[A-Za-z0-9_-]+)+$/;

type Problem = (index: number, field: string[], code: UserErrorCode, message: string) => void;

export async function checkGraph(input: ProcedureInput, conditions: ConditionEvaluator): Promise<UserError[]> {
  const errors: UserError[] = [];
  const problem: Problem = (index, field, code, message) =>
    errors.push({ field: ['input', 'steps', String(index), ...field], code, message });
  const max = input.maxParallelSteps;
  if (max != null && (!Number.isInteger(max) || max < 1 || max > MAX_PARALLEL))
    errors.push({
      field: ['input', 'maxParallelSteps'],
      code: 'INVALID_VALUE',
      message: `maxParallelSteps must be a whole number from 1 to ${MAX_PARALLEL}`,
    });
  const steps = input.steps;
  const indexOf = new Map(steps.map((step, index) => [step.id, index]));
  const dependencies = steps.map((step, index) => checkAfter(step, index, indexOf, problem));
  const broken = new Set<number>();
  const cycle = findCycle(dependencies);
  if (cycle) {
    for (const index of cycle) broken.add(index);
    problem(
      cycle[0],
      ['after'],
      'DEPENDENCY_CYCLE',
      `steps would wait for each other in a circle (${cycle.map((index) => steps[index].id).join(' → ')}): none of them could ever start`,
    );
  }
  for (const [index, step] of steps.entries()) {
    if (!checkJoin(step.join, dependencies[index].length, index, ['join'], problem)) broken.add(index);
    if (step.forEach) checkForEach(step, index, upstreamOf(dependencies, index), steps, problem);
    else if (usesPlaceholders(step.params ?? {}) || usesPlaceholders(step.compensation?.params ?? {}))
      problem(
        index,
        ['params'],
        'INVALID_VALUE',
        'params use $item or $index, but the step does not run once per item (forEach)',
      );
    if (step.when != null) await checkWhen(step, index, upstreamOf(dependencies, index), steps, conditions, problem);
  }
  const dependents: number[][] = steps.map(() => []);
  dependencies.forEach((of, index) => {
    for (const dependency of of) dependents[dependency].push(index);
  });
  for (const index of downstreamOf(dependents, broken)) {
    if (broken.has(index)) continue;
    problem(
      index,
      ['after'],
      'INVALID_VALUE',
      `${steps[index].id} could never run: it waits (directly or not) for a step that can never start`,
    );
  }
  return errors;
}

/** The indexes a step waits for (only those that exist), after reporting those that do not. */
function checkAfter(step: StepInput, index: number, indexOf: Map<string, number>, problem: Problem): number[] {
  // Without `after`: the step before it in the list.
  if (step.after == null) return index === 0 ? [] : [index - 1];
  const found: number[] = [];
  const seen = new Set<string>();
  for (const id of step.after) {
    if (seen.has(id)) problem(index, ['after'], 'INVALID_VALUE', `after names "${id}" twice`);
    seen.add(id);
    const at = indexOf.get(id);
    if (id === step.id) problem(index, ['after'], 'INVALID_VALUE', 'a step cannot wait for itself');
    else if (at === undefined)
      problem(index, ['after'], 'NOT_FOUND', `after names "${id}", which is not a step of this procedure`);
    else if (!found.includes(at)) found.push(at);
  }
  return found;
}

/** False when the join can never be met (it is reported). */
function checkJoin(
  join: Partial<Join> | null | undefined,
  inputs: number | null,
  index: number,
  field: string[],
  problem: Problem,
): boolean {
  if (!join) return true;
  if (join.mode !== undefined && !JOIN_MODES.includes(join.mode))
    problem(index, [...field, 'mode'], 'INVALID_VALUE', `join.mode must be one of ${JOIN_MODES.join(', ')}`);
  if (join.others !== undefined && !JOIN_OTHERS.includes(join.others))
    problem(index, [...field, 'others'], 'INVALID_VALUE', `join.others must be one of ${JOIN_OTHERS.join(', ')}`);
  const mode = join.mode ?? 'ALL';
  if (mode !== 'N_OF') {
    if (join.count != null) problem(index, [...field, 'count'], 'INVALID_VALUE', 'join.count goes with mode N_OF only');
  } else if (join.count == null || !Number.isInteger(join.count) || join.count < 1) {
    problem(index, [...field, 'count'], 'INVALID_VALUE', 'join mode N_OF needs a count, a whole number ≥ 1');
    return false;
  } else if (inputs !== null && join.count > inputs) {
    problem(
      index,
      [...field, 'count'],
      'INVALID_VALUE',
      `the join needs ${join.count} of ${inputs} step(s) it waits for: it can never be met`,
    );
    return false;
  }
  if (inputs === 0 && mode !== 'ALL') {
    problem(index, field, 'INVALID_VALUE', `a ${mode} join needs steps to wait for (after): it waits for none`);
    return false;
  }
  return true;
}

function checkForEach(
  step: StepInput,
  index: number,
  upstream: Set<number>,
  steps: readonly StepInput[],
  problem: Problem,
): void {
  const forEach = step.forEach!;
  const path = forEach.items;
  if (typeof path !== 'string' || !PATH.test(path)) {
    problem(
      index,
      ['forEach', 'items'],
      'INVALID_VALUE',
      'forEach.items must be a path into the context or an earlier step\'s output, e.g. "context.reviewers" or "outputs.plan.agents"',
    );
  } else if (path.startsWith('outputs.')) {
    const source = path.split('.')[1];
    const at = steps.findIndex((candidate) => candidate.id === source);
    if (at === -1 || !upstream.has(at))
      problem(
        index,
        ['forEach', 'items'],
        'INVALID_VALUE',
        `forEach.items reads outputs.${source}, which is not a step ${step.id} waits for (directly or not)`,
      );
  }
  const max = forEach.maxConcurrent;
  if (max != null && (!Number.isInteger(max) || max < 1 || max > MAX_PARALLEL))
    problem(index, ['forEach', 'maxConcurrent'], 'INVALID_VALUE', `forEach.maxConcurrent must be 1–${MAX_PARALLEL}`);
  checkJoin(forEach.join, null, index, ['forEach', 'join'], problem);
}

async function checkWhen(
  step: StepInput,
  index: number,
  upstream: Set<number>,
  steps: readonly StepInput[],
  conditions: ConditionEvaluator,
  problem: Problem,
): Promise<void> {
  const field = ['input', 'steps', String(index), 'when'];
  const { errors, paths } = await conditions.check(step.when, field);
  for (const error of errors) problem(index, ['when'], error.code, error.message);
  if (errors.length > 0) return;
  for (const path of paths) {
    const [root, source] = path.split('.');
    if (!['context', 'outputs', 'handoff'].includes(root)) {
      problem(
        index,
        ['when'],
        'INVALID_CONDITION',
        `the condition reads ${path}: a step's condition reads context.…, outputs.… or handoff.…`,
      );
    } else if (root === 'outputs' && source !== undefined) {
      const at = steps.findIndex((candidate) => candidate.id === source);
      if (at === -1 || !upstream.has(at))
        problem(
          index,
          ['when'],
          'INVALID_CONDITION',
          `the condition reads outputs.${source}, which is not a step ${step.id} waits for (directly or not)`,
        );
    }
  }
}

import { startTimeout } from '../../shared/clock.js';
import {
  cancelSteps,
  failBeforeStart,
  fanOut,
  type StepVerdict,
  settleFanOut,
  skipSteps,
} from '../handoff/graph-transitions.js';
import type { Handoff } from '../handoff/handoff.js';
import { type StepStart, startAttempts } from '../handoff/handoff-transitions.js';
import { definitionAt } from '../procedures/branch-definition.js';
import { conditionSubject, valueAtPath } from '../procedures/step-condition.js';
import type { ActiveRun, RunParts } from './active-run.js';
import type { Flights } from './flights.js';
import { type FanOutDecision, type GraphPlan, planGraph } from './graph-plan.js';
import { StepStoppedError } from './run-action.js';
import { pauseDue } from './run-ending.js';
import { busyBesides, doomsIf } from './step-outcome.js';

/**
 * The walk's own moves, each stored as a transition computed from the state when it is stored (attempts
 * under way may have stored theirs since the walk planned): what the plan decided is done only if the
 * plan, made again on that state, still decides it.
 */

/** The most branches one step may have: each is a step of the handoff, stored with it. */
export const MAX_BRANCHES = 500;
/** How long a step's condition may take to evaluate. */
const CONDITION_TIMEOUT_MS = 5_000;

function replan(parts: RunParts, run: ActiveRun, h: Handoff): GraphPlan {
  return planGraph(h, run.procedure, {
    now: parts.clock.now(),
    busy: busyBesides(run, null),
    signalled: run.signals.has,
    mayStart: pauseDue(run) === null,
  });
}

function still<T extends { index: number }>(wanted: readonly T[], now: readonly { index: number }[]): T[] {
  const indexes = new Set(now.map((item) => item.index));
  return wanted.filter((item) => indexes.has(item.index));
}

/** Steps run once per item whose join over their branches is decided: each SUCCEEDED (with the results) or FAILED. */
export async function settleDecisions(parts: RunParts, run: ActiveRun, decisions: readonly FanOutDecision[]) {
  for (const decision of decisions) {
    await parts.commit(run, (h) => {
      if (still([decision], replan(parts, run, h).settle).length === 0) return null;
      const now = parts.clock.now();
      if (decision.succeeded) {
        const output = branchResults(h, h.steps[decision.index].id);
        return settleFanOut(
          h,
          decision.index,
          { succeeded: true, output, message: `${h.steps[decision.index].name}: ${decision.reason}` },
          now,
        );
      }
      const message = `${h.steps[decision.index].name}: ${decision.reason}`;
      const handoffError = doomsIf(parts, run, h, decision.index) ? message : null;
      return settleFanOut(h, decision.index, { succeeded: false, message, handoffError }, now);
    });
  }
}

/** The output of a step run once per item: how each branch ended, in order. */
function branchResults(h: Handoff, of: string): Record<string, unknown> {
  const branches = h.steps.filter((step) => step.branch?.of === of);
  return {
    branches: branches.length,
    succeeded: branches.filter((step) => step.status === 'SUCCEEDED').length,
    results: branches.map((step) => ({
      index: step.branch!.index,
      item: step.branch!.item,
      status: step.status,
      output: step.output,
      error: step.error,
    })),
  };
}

/**
 * Skips what will not run, and cancels what nothing needs any more: an attempt under way here is stopped
 * (its outcome recorded when it ends), a waiting one taken back, the rest cancelled at once. True when it
 * stored or took up anything (stopping an attempt under way is not: its end is what moves on).
 */
export async function skipOrCancel(parts: RunParts, run: ActiveRun, flights: Flights, plan: GraphPlan) {
  let moved = false;
  if (plan.skip.length > 0) {
    moved = true;
    await parts.commit(run, (h) => {
      const skips = still(plan.skip, replan(parts, run, h).skip);
      return skips.length > 0 ? skipSteps(h, skips, parts.clock.now()) : null;
    });
  }
  const direct: StepVerdict[] = [];
  for (const verdict of plan.cancel) {
    const stop = new StepStoppedError('NOT_NEEDED', verdict.reason);
    const step = run.handoff.steps[verdict.index];
    if (run.flying.has(verdict.index)) flights.stop(verdict.index, stop);
    else if (step.status === 'WAITING' && !step.fanOut) {
      flights.launch(verdict.index, 'resume', stop);
      moved = true;
    } else direct.push(verdict);
  }
  if (direct.length === 0) return moved;
  await parts.commit(run, (h) => {
    const cancels = still(direct, replan(parts, run, h).cancel).filter(({ index }) => !run.flying.has(index));
    return cancels.length > 0 ? cancelSteps(h, cancels, parts.clock.now()) : null;
  });
  return true;
}

/**
 * Starts what the plan lets start: due retries and ready steps in one write (a step with a condition once
 * it holds; a step run once per item by adding its branches), and launches their attempts. True when it
 * stored anything.
 */
export async function startSteps(parts: RunParts, run: ActiveRun, flights: Flights, plan: GraphPlan): Promise<boolean> {
  const n = run.procedure.steps.length;
  const wanted: number[] = [...plan.retry];
  let stored = false;
  for (const index of plan.start) {
    const definition = definitionAt(run.procedure, run.handoff, index);
    if (index < n && definition.when) {
      const holds = await conditionHolds(parts, run, index, definition.when);
      if (holds !== true) {
        stored = (await storeUnstarted(parts, run, index, holds)) || stored;
        continue;
      }
    }
    if (index < n && definition.forEach) stored = (await expand(parts, run, index, definition.forEach.items)) || stored;
    else wanted.push(index);
  }
  if (wanted.length === 0) return stored;
  let starts: StepStart[] = [];
  const started = await parts.commit(run, (h) => {
    const fresh = replan(parts, run, h);
    const ready = new Set([...fresh.start, ...fresh.retry]);
    starts = wanted
      .filter((index) => ready.has(index))
      .map((index) => ({ index, definition: definitionAt(run.procedure, h, index) }));
    return starts.length > 0 ? startAttempts(h, starts, parts.clock.now(), parts.waitingFor) : null;
  });
  if (started) for (const { index } of starts) flights.launch(index, 'start');
  // Tried: what was ready may have been started by an outcome stored meanwhile; the next turn plans again.
  return stored || wanted.length > 0;
}

type ConditionOutcome = true | { skip: string } | { error: string };

async function conditionHolds(
  parts: RunParts,
  run: ActiveRun,
  index: number,
  condition: Record<string, unknown>,
): Promise<ConditionOutcome> {
  const deadline = new AbortController();
  const cancel = startTimeout(parts.clock, CONDITION_TIMEOUT_MS, () =>
    deadline.abort(new Error(`took longer than ${CONDITION_TIMEOUT_MS} ms`)),
  );
  try {
    const verdict = await parts.conditions.test(
      condition,
      conditionSubject(run.handoff, run.procedure),
      deadline.signal,
    );
    return verdict.passed ? true : { skip: `its condition does not hold (found ${verdict.found})` };
  } catch (error) {
    return {
      error: `${run.handoff.steps[index].id}: its condition could not be evaluated: ${(error as Error).message}`,
    };
  } finally {
    cancel();
  }
}

/** A step whose condition is false is skipped; one whose condition cannot be evaluated fails. */
async function storeUnstarted(
  parts: RunParts,
  run: ActiveRun,
  index: number,
  outcome: Exclude<ConditionOutcome, true>,
) {
  return parts.commit(run, (h) => {
    if (!replan(parts, run, h).start.includes(index)) return null;
    if ('skip' in outcome) return skipSteps(h, [{ index, reason: outcome.skip }], parts.clock.now());
    return failUnstartedStep(parts, run, h, index, { message: outcome.error, code: 'CONDITION_ERROR' });
  });
}

function failUnstartedStep(
  parts: RunParts,
  run: ActiveRun,
  h: Handoff,
  index: number,
  failure: { message: string; code: string },
) {
  const handoffError = doomsIf(parts, run, h, index) ? failure.message : null;
  return failBeforeStart(h, index, failure, handoffError, parts.clock.now());
}

/** Adds one branch per item of the list at `path` (a step run once per item), or fails the step when it is not a list. */
async function expand(parts: RunParts, run: ActiveRun, index: number, path: string): Promise<boolean> {
  const items = valueAtPath(conditionSubject(run.handoff, run.procedure), path);
  return parts.commit(run, (h) => {
    if (!replan(parts, run, h).start.includes(index)) return null;
    const id = h.steps[index].id;
    if (!Array.isArray(items))
      return failUnstartedStep(parts, run, h, index, {
        message: `${id}: ${path} is ${items === undefined ? 'missing' : `not a list (${typeof items})`}`,
        code: 'NOT_A_LIST',
      });
    if (items.length > MAX_BRANCHES)
      return failUnstartedStep(parts, run, h, index, {
        message: `${id}: ${path} has ${items.length} items; a step runs for at most ${MAX_BRANCHES}`,
        code: 'TOO_MANY_ITEMS',
      });
    return fanOut(h, index, path, items, parts.clock.now());
  });
}

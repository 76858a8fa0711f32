import type { StepVerdict } from '../handoff/graph-transitions.js';
import { attemptInFlight, type Handoff, type StepRun } from '../handoff/handoff.js';
import { DEFAULT_JOIN, type Join, maxParallelStepsOf, type Procedure } from '../procedures/procedure.js';
import { stepGraph } from '../procedures/step-graph.js';

/**
 * What a run of a handoff does next, worked out from its stored state alone (a pure function: the same
 * state plans the same way after any restart). A step starts once its join over what it waits for is met;
 * it is skipped when what it waits for was skipped (or cancelled) so it cannot be met without a failure;
 * a failure is contained while every step waiting for the failed one can still have its join met (one
 * rejection among "2 of 3" reviewers), and rolls the handoff back otherwise; the handoff completes when
 * every step has ended and no failure escaped.
 */

export interface PlanContext {
  now: number;
  /** Steps with an attempt this run has under way, or stored as started and about to run. */
  busy: ReadonlySet<number>;
  /** Whether the signal `name` is recorded for this run. */
  signalled(name: string): boolean;
  /** False while a pause is due: nothing new starts (attempts under way go on). */
  mayStart: boolean;
}

/** A step run once per item whose join over its branches is decided. */
export interface FanOutDecision {
  index: number;
  succeeded: boolean;
  reason: string;
}

export interface GraphPlan {
  /** Steps that will not run, and why. */
  skip: StepVerdict[];
  /** Steps run once per item whose join over their branches is decided. */
  settle: FanOutDecision[];
  /** Steps started (or not yet) that nothing needs any more. */
  cancel: StepVerdict[];
  /** Steps whose join is met, within the limits on attempts at once, in order: to start (or run once per item). */
  start: number[];
  /** Steps whose retry is due. */
  retry: number[];
  /** Steps whose attempt waits and may go on now (what it waits for is recorded, or its time came). */
  resume: number[];
  /** Steps whose attempt was running when the last run stopped: it counts as failed. */
  interrupted: number[];
  /** Why the handoff cannot complete (a failure nothing contains), or null. */
  doomed: string | null;
  /** Every step has ended and nothing failed that mattered. */
  complete: boolean;
}

type Outcome = 'SUCCEEDED' | 'VOID' | 'FAILED' | 'OPEN' | 'NOT_STARTED';

export function outcomeOf(step: StepRun): Outcome {
  switch (step.status) {
    case 'SUCCEEDED':
      return 'SUCCEEDED';
    case 'SKIPPED':
    case 'CANCELLED':
      return 'VOID';
    case 'FAILED':
    case 'COMPENSATING':
    case 'COMPENSATED':
    case 'COMPENSATION_FAILED':
      return 'FAILED';
    case 'PENDING':
      return step.attempts === 0 && !step.fanOut ? 'NOT_STARTED' : 'OPEN';
    default:
      return 'OPEN';
  }
}

type JoinState = { state: 'READY' | 'WAIT' } | { state: 'SKIP' | 'NEVER'; reason: string };

/** How many of a join's inputs must succeed (null: all of them). */
function needed(join: Join): number | null {
  if (join.mode === 'ALL') return null;
  return join.mode === 'ANY' ? 1 : (join.count ?? 1);
}

export function describeJoin(join: Join, of: number): string {
  const count = needed(join);
  return count === null ? `all ${of}` : `${count} of ${of}`;
}

/** Whether the join over `inputs` (their outcomes, and names for messages) is met, can still be, or cannot. */
function joinState(inputs: readonly { id: string; outcome: Outcome }[], join: Join): JoinState {
  if (inputs.length === 0) return { state: 'READY' };
  const failed = inputs.filter((input) => input.outcome === 'FAILED').map((input) => input.id);
  const succeeded = inputs.filter((input) => input.outcome === 'SUCCEEDED').length;
  const open = inputs.filter((input) => input.outcome === 'OPEN' || input.outcome === 'NOT_STARTED').length;
  const count = needed(join);
  if (count === null) {
    if (failed.length > 0) return { state: 'NEVER', reason: `${failed.join(', ')} failed` };
    if (open > 0) return { state: 'WAIT' };
    if (succeeded === 0) return { state: 'SKIP', reason: 'every step it waits for was skipped or cancelled' };
    return { state: 'READY' };
  }
  if (succeeded >= count) return { state: 'READY' };
  if (succeeded + open >= count) return { state: 'WAIT' };
  const why = `${succeeded} of the ${count} needed of ${inputs.map((input) => input.id).join(', ')} succeeded`;
  return failed.length > 0
    ? { state: 'NEVER', reason: `only ${why} and ${failed.join(', ')} failed` }
    : { state: 'SKIP', reason: `only ${why}; the others were skipped or cancelled` };
}

/** Plans the next moves of a run; see the top of this file. */
export function planGraph(handoff: Handoff, procedure: Procedure, context: PlanContext): GraphPlan {
  return new Planner(handoff, procedure, context).plan();
}

class Planner {
  private readonly graph;
  private readonly n: number;
  /** Outcomes as they will be once this plan's decisions are stored. */
  private readonly outcomes: Outcome[];
  private readonly branches = new Map<string, number[]>();
  private readonly decided = new Set<number>();
  private readonly result: GraphPlan = {
    skip: [],
    settle: [],
    cancel: [],
    start: [],
    retry: [],
    resume: [],
    interrupted: [],
    doomed: null,
    complete: false,
  };

  constructor(
    private readonly handoff: Handoff,
    private readonly procedure: Procedure,
    private readonly context: PlanContext,
  ) {
    this.graph = stepGraph(procedure);
    this.n = procedure.steps.length;
    this.outcomes = handoff.steps.map(outcomeOf);
    handoff.steps.forEach((step, index) => {
      if (!step.branch) return;
      const of = this.branches.get(step.branch.of) ?? [];
      of.push(index);
      this.branches.set(step.branch.of, of);
    });
  }

  plan(): GraphPlan {
    // Decisions free others (a skip lets what waits for it be skipped, a met join frees its inputs): to a fixed point.
    while (this.decideOnce()) {
      /* again */
    }
    this.result.doomed = this.doom();
    if (this.result.doomed !== null) return this.result;
    this.planAttempts();
    this.result.complete =
      this.result.skip.length === 0 &&
      this.result.settle.length === 0 &&
      this.result.cancel.length === 0 &&
      this.outcomes.every((outcome) => outcome === 'SUCCEEDED' || outcome === 'VOID' || outcome === 'FAILED');
    return this.result;
  }

  private decide(list: StepVerdict[], index: number, reason: string, outcome: Outcome): void {
    list.push({ index, reason });
    this.outcomes[index] = outcome;
    this.decided.add(index);
  }

  private inputsOf(index: number) {
    return this.graph.dependencies[index].map((at) => ({ id: this.handoff.steps[at].id, outcome: this.outcomes[at] }));
  }

  private joinOf(index: number): JoinState {
    return joinState(this.inputsOf(index), this.procedure.steps[index].join ?? DEFAULT_JOIN);
  }

  private branchesOf(index: number): number[] {
    return this.branches.get(this.handoff.steps[index].id) ?? [];
  }

  /** One pass of skips, decided joins over branches and cancels; true when anything was decided. */
  private decideOnce(): boolean {
    let changed = false;
    for (let index = 0; index < this.n; index++) {
      if (this.decided.has(index)) continue;
      if (this.outcomes[index] === 'NOT_STARTED') {
        const join = this.joinOf(index);
        if (join.state === 'SKIP') {
          this.decide(this.result.skip, index, join.reason, 'VOID');
          changed = true;
        }
      } else if (this.outcomes[index] === 'OPEN' && this.handoff.steps[index].fanOut) {
        changed = this.settleFanOut(index) || changed;
      }
    }
    return this.cancelUnneeded() || changed;
  }

  /** A step run once per item: decided when its join over its branches is met, or cannot be. */
  private settleFanOut(index: number): boolean {
    const definition = this.procedure.steps[index];
    const join = definition.forEach?.join ?? DEFAULT_JOIN;
    const inputs = this.branchesOf(index).map((at) => ({ id: this.handoff.steps[at].id, outcome: this.outcomes[at] }));
    const count = needed(join) ?? inputs.length;
    const succeeded = inputs.filter((input) => input.outcome === 'SUCCEEDED').length;
    const open = inputs.filter((input) => input.outcome === 'OPEN' || input.outcome === 'NOT_STARTED').length;
    const ended = inputs.filter((input) => input.outcome === 'FAILED' || input.outcome === 'VOID').length;
    const wanted = describeJoin(join, inputs.length);
    let decision: FanOutDecision | null = null;
    if (needed(join) === null ? ended === 0 && open === 0 : succeeded >= count)
      decision = {
        index,
        succeeded: true,
        reason: `${succeeded} of ${inputs.length} branches succeeded (${wanted} needed)`,
      };
    else if ((needed(join) === null && ended > 0) || succeeded + open < count) {
      const names = inputs.filter((input) => input.outcome === 'FAILED').map((input) => input.id);
      decision = {
        index,
        succeeded: false,
        reason: `${wanted} branches had to succeed; ${succeeded} did${names.length > 0 ? ` (${names.join(', ')} failed)` : ''}`,
      };
    }
    if (!decision) return false;
    this.result.settle.push(decision);
    this.outcomes[index] = decision.succeeded ? 'SUCCEEDED' : 'FAILED';
    this.decided.add(index);
    return true;
  }

  /** Inputs of a met join with `others: CANCEL` that nothing else waits for, and branches of an ended step. */
  private cancelUnneeded(): boolean {
    let changed = false;
    const cancel = (index: number, reason: string) => {
      if (this.decided.has(index)) return;
      const outcome = this.outcomes[index];
      if (outcome !== 'OPEN' && outcome !== 'NOT_STARTED') return;
      this.decide(this.result.cancel, index, reason, 'VOID');
      changed = true;
    };
    for (let index = 0; index < this.n; index++) {
      const outcome = this.outcomes[index];
      // A step that started had its join met: the inputs it did not need are free.
      if (outcome === 'NOT_STARTED') continue;
      const definition = this.procedure.steps[index];
      const join = definition.join ?? DEFAULT_JOIN;
      if (join.mode !== 'ALL' && join.others === 'CANCEL') {
        for (const input of this.graph.dependencies[index]) {
          const stillWanted = this.graph.dependents[input].some(
            (other) => other !== index && this.outcomes[other] === 'NOT_STARTED',
          );
          if (!stillWanted)
            cancel(
              input,
              `not needed: ${definition.id} went on once ${describeJoin(join, this.graph.dependencies[index].length)} succeeded`,
            );
        }
      }
      if (definition.forEach && outcome !== 'OPEN') {
        const others = definition.forEach.join?.others ?? DEFAULT_JOIN.others;
        if (outcome === 'SUCCEEDED' && others === 'FINISH') continue;
        const why =
          outcome === 'SUCCEEDED'
            ? `not needed: the join of ${definition.id} was met`
            : `${definition.id} ${outcome === 'FAILED' ? 'failed' : 'was cancelled'}`;
        for (const branch of this.branchesOf(index)) cancel(branch, why);
      }
    }
    return changed;
  }

  /** A failure nothing contains: a step that can never start, or a failed step nothing waits for. */
  private doom(): string | null {
    for (let index = 0; index < this.n; index++) {
      const step = this.handoff.steps[index];
      if (this.outcomes[index] === 'NOT_STARTED') {
        const join = this.joinOf(index);
        if (join.state === 'NEVER') return `${step.id} can never start: ${join.reason}`;
      } else if (this.outcomes[index] === 'FAILED' && this.graph.dependents[index].length === 0) {
        return `${step.id} failed`;
      }
    }
    return null;
  }

  private openAttempts(): number {
    let open = 0;
    this.handoff.steps.forEach((step, index) => {
      if (this.decided.has(index)) return;
      if (attemptInFlight(step) || (step.status === 'PENDING' && step.attempts > 0)) open++;
    });
    return open;
  }

  private planAttempts(): void {
    const { context, handoff, result } = this;
    handoff.steps.forEach((step, index) => {
      if (this.decided.has(index) || step.fanOut || context.busy.has(index)) return;
      if (step.status === 'RUNNING') result.interrupted.push(index);
      else if (step.status === 'WAITING') {
        const wait = step.wait;
        if (!wait || wait.until <= context.now || (wait.on !== null && context.signalled(wait.on)))
          result.resume.push(index);
      } else if (step.status === 'PENDING' && step.attempts > 0 && context.mayStart) {
        if ((step.retryAt ?? 0) <= context.now) result.retry.push(index);
      }
    });
    if (!context.mayStart) return;
    let budget = maxParallelStepsOf(this.procedure) - this.openAttempts();
    for (let index = 0; index < this.n; index++) {
      if (this.decided.has(index) || this.outcomes[index] !== 'NOT_STARTED' || context.busy.has(index)) continue;
      if (this.joinOf(index).state !== 'READY') continue;
      // Running once per item adds branches; it starts no attempt itself.
      if (this.procedure.steps[index].forEach) result.start.push(index);
      else if (budget > 0) {
        result.start.push(index);
        budget--;
      }
    }
    for (let index = 0; index < this.n; index++) {
      const forEach = this.procedure.steps[index].forEach;
      if (!forEach || this.outcomes[index] !== 'OPEN' || this.decided.has(index)) continue;
      const branches = this.branchesOf(index);
      const open = branches.filter((at) => this.outcomes[at] === 'OPEN').length;
      let room = Math.min(budget, (forEach.maxConcurrent ?? maxParallelStepsOf(this.procedure)) - open);
      for (const at of branches) {
        if (room <= 0) break;
        if (this.outcomes[at] !== 'NOT_STARTED' || this.decided.has(at) || context.busy.has(at)) continue;
        result.start.push(at);
        room--;
        budget--;
      }
    }
  }
}

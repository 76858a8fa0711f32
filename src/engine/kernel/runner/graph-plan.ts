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

/** Step indexes, as a plan reads them (a Set, or a view over a run's own sets: see busyBesides). */
export interface StepIndexes {
  has(index: number): boolean;
}

export interface PlanContext {
  now: number;
  /** Steps with an attempt this run has under way, or stored as started and about to run. */
  busy: StepIndexes;
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

/** The two answers without a reason, shared: a plan asks for joins many times, and most are one of these. */
const READY: JoinState = { state: 'READY' };
const WAIT: JoinState = { state: 'WAIT' };

/**
 * Whether the join over the steps at `inputs` (their outcomes in `outcomes`, their ids for messages) is met,
 * can still be, or cannot. Counted in place: the reasons (and the lists they name) are built only when asked.
 */
function joinState(
  inputs: readonly number[],
  outcomes: readonly Outcome[],
  steps: readonly StepRun[],
  join: Join,
): JoinState {
  if (inputs.length === 0) return READY;
  let failed = 0;
  let succeeded = 0;
  let open = 0;
  for (const at of inputs) {
    const outcome = outcomes[at];
    if (outcome === 'FAILED') failed++;
    else if (outcome === 'SUCCEEDED') succeeded++;
    else if (outcome === 'OPEN' || outcome === 'NOT_STARTED') open++;
  }
  const count = needed(join);
  if (count === null) {
    if (failed > 0) return { state: 'NEVER', reason: `${idsOf(inputs, steps, outcomes, 'FAILED')} failed` };
    if (open > 0) return WAIT;
    if (succeeded === 0) return { state: 'SKIP', reason: 'every step it waits for was skipped or cancelled' };
    return READY;
  }
  if (succeeded >= count) return READY;
  if (succeeded + open >= count) return WAIT;
  const why = `${succeeded} of the ${count} needed of ${idsOf(inputs, steps, outcomes, null)} succeeded`;
  return failed > 0
    ? { state: 'NEVER', reason: `only ${why} and ${idsOf(inputs, steps, outcomes, 'FAILED')} failed` }
    : { state: 'SKIP', reason: `only ${why}; the others were skipped or cancelled` };
}

/** The ids of the steps at `inputs` (those with outcome `only`, or all of them), for a message. */
function idsOf(
  inputs: readonly number[],
  steps: readonly StepRun[],
  outcomes: readonly Outcome[],
  only: Outcome | null,
) {
  return inputs
    .filter((at) => only === null || outcomes[at] === only)
    .map((at) => steps[at].id)
    .join(', ');
}

/** A plan's `signalled` where no signal counts (shared: no function made per plan). */
export function NOTHING_SIGNALLED(): boolean {
  return false;
}

/** Plans the next moves of a run; see the top of this file. */
export function planGraph(handoff: Pick<Handoff, 'steps'>, procedure: Procedure, context: PlanContext): GraphPlan {
  return new Planner(handoff, procedure, context).plan();
}

class Planner {
  private readonly graph;
  private readonly n: number;
  /** Outcomes as they will be once this plan's decisions are stored. */
  private readonly outcomes: Outcome[];
  /** The branches of each step run once per item, by its id: worked out on first use (most handoffs have none). */
  private branches: Map<string, number[]> | null = null;
  /** Steps this plan decided on (by index): an array, not a Set, as a plan is made several times per step. */
  private readonly decided: boolean[];
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
    private readonly handoff: Pick<Handoff, 'steps'>,
    private readonly procedure: Procedure,
    private readonly context: PlanContext,
  ) {
    this.graph = stepGraph(procedure);
    this.n = procedure.steps.length;
    this.outcomes = handoff.steps.map(outcomeOf);
    this.decided = new Array<boolean>(handoff.steps.length).fill(false);
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
    this.decided[index] = true;
  }

  private joinOf(index: number): JoinState {
    return joinState(
      this.graph.dependencies[index],
      this.outcomes,
      this.handoff.steps,
      this.procedure.steps[index].join ?? DEFAULT_JOIN,
    );
  }

  private branchesOf(index: number): number[] {
    if (!this.branches) {
      const branches = new Map<string, number[]>();
      this.handoff.steps.forEach((step, at) => {
        if (!step.branch) return;
        const of = branches.get(step.branch.of) ?? [];
        of.push(at);
        branches.set(step.branch.of, of);
      });
      this.branches = branches;
    }
    return this.branches.get(this.handoff.steps[index].id) ?? [];
  }

  /** One pass of skips, decided joins over branches and cancels; true when anything was decided. */
  private decideOnce(): boolean {
    let changed = false;
    for (let index = 0; index < this.n; index++) {
      if (this.decided[index]) continue;
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
    this.decided[index] = true;
    return true;
  }

  /** Inputs of a met join with `others: CANCEL` that nothing else waits for, and branches of an ended step. */
  private cancelUnneeded(): boolean {
    let changed = false;
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
            changed =
              this.cancel(
                input,
                `not needed: ${definition.id} went on once ${describeJoin(join, this.graph.dependencies[index].length)} succeeded`,
              ) || changed;
        }
      }
      if (definition.forEach && outcome !== 'OPEN') {
        const others = definition.forEach.join?.others ?? DEFAULT_JOIN.others;
        if (outcome === 'SUCCEEDED' && others === 'FINISH') continue;
        const why =
          outcome === 'SUCCEEDED'
            ? `not needed: the join of ${definition.id} was met`
            : `${definition.id} ${outcome === 'FAILED' ? 'failed' : 'was cancelled'}`;
        for (const branch of this.branchesOf(index)) changed = this.cancel(branch, why) || changed;
      }
    }
    return changed;
  }

  /** Cancels step `index` unless decided or ended already; true when it did. */
  private cancel(index: number, reason: string): boolean {
    if (this.decided[index]) return false;
    const outcome = this.outcomes[index];
    if (outcome !== 'OPEN' && outcome !== 'NOT_STARTED') return false;
    this.decide(this.result.cancel, index, reason, 'VOID');
    return true;
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
      if (this.decided[index]) return;
      if (attemptInFlight(step) || (step.status === 'PENDING' && step.attempts > 0)) open++;
    });
    return open;
  }

  private planAttempts(): void {
    const { context, handoff, result } = this;
    handoff.steps.forEach((step, index) => {
      if (this.decided[index] || step.fanOut || context.busy.has(index)) return;
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
      if (this.decided[index] || this.outcomes[index] !== 'NOT_STARTED' || context.busy.has(index)) continue;
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
      if (!forEach || this.outcomes[index] !== 'OPEN' || this.decided[index]) continue;
      const branches = this.branchesOf(index);
      const open = branches.filter((at) => this.outcomes[at] === 'OPEN').length;
      let room = Math.min(budget, (forEach.maxConcurrent ?? maxParallelStepsOf(this.procedure)) - open);
      for (const at of branches) {
        if (room <= 0) break;
        if (this.outcomes[at] !== 'NOT_STARTED' || this.decided[at] || context.busy.has(at)) continue;
        result.start.push(at);
        room--;
        budget--;
      }
    }
  }
}

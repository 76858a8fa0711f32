import type { Handoff } from '../handoff/handoff.js';
import { definitionAt } from '../procedures/branch-definition.js';
import type { Procedure } from '../procedures/procedure.js';
import { downstreamOf, stepGraph } from '../procedures/step-graph.js';

/**
 * Which compensations a rollback runs, and which of them may run now: a step is undone only once every
 * step that waited for it (directly or not) has been undone, so undos run in reverse dependency order
 * (on a chain: latest first, one at a time) and those of independent branches at once.
 */
export interface CompensationPlan {
  /** Steps still to undo (their compensation not yet done), latest first. */
  toUndo: number[];
  /** Of those, the ones that may start (or go on) now. */
  ready: number[];
}

export interface CompensationContext {
  now: number;
  /** Steps whose compensation is under way in this run. */
  busy: ReadonlySet<number>;
  signalled(name: string): boolean;
}

/** The steps that have something to undo: succeeded (or being undone), with a compensation; latest first. */
export function stepsToUndo(handoff: Handoff, procedure: Procedure): number[] {
  const indexes: number[] = [];
  for (let index = handoff.steps.length - 1; index >= 0; index--) {
    const step = handoff.steps[index];
    // A step run once per item has nothing of its own to undo: its branches do.
    if (step.fanOut || (step.status !== 'SUCCEEDED' && step.status !== 'COMPENSATING')) continue;
    if (definitionAt(procedure, handoff, index).compensation) indexes.push(index);
  }
  return indexes;
}

export function compensationPlan(
  handoff: Handoff,
  procedure: Procedure,
  context: CompensationContext,
): CompensationPlan {
  const toUndo = stepsToUndo(handoff, procedure);
  const graph = stepGraph(procedure);
  const n = procedure.steps.length;
  // A branch stands where the step it is a branch of stands in the graph.
  const nodeOf = (index: number) => {
    const of = handoff.steps[index].branch?.of;
    return index < n || of === undefined ? index : (graph.indexOf.get(of) ?? index);
  };
  const nodes = new Set(toUndo.map(nodeOf));
  const ready = toUndo.filter((index) => {
    if (context.busy.has(index)) return false;
    const after = downstreamOf(graph.dependents, graph.dependents[nodeOf(index)]);
    for (const node of after) if (nodes.has(node)) return false;
    const step = handoff.steps[index];
    if (step.status !== 'COMPENSATING') return true;
    if (step.wait) return step.wait.until <= context.now || (step.wait.on !== null && context.signalled(step.wait.on));
    return step.retryAt == null || step.retryAt <= context.now;
  });
  return { toUndo, ready };
}

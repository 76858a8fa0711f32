import type { Procedure, StepDefinition } from './procedure.js';

/**
 * A procedure's steps as a graph, by index into `procedure.steps`: what each waits for and what waits for
 * it. Worked out once per stored procedure version (they never change).
 */
export interface StepGraph {
  dependencies: readonly (readonly number[])[];
  dependents: readonly (readonly number[])[];
  indexOf: ReadonlyMap<string, number>;
  /**
   * Every step waits for the one before it alone, with no join, condition or fan-out: the chain every
   * procedure was before graphs (and still is, written without `after`).
   */
  chain: boolean;
}

/** The ids a step waits for: its `after`, or (absent) the step before it in the list. */
export function dependencyIdsOf(steps: readonly Pick<StepDefinition, 'id' | 'after'>[], index: number): string[] {
  return steps[index].after ?? (index === 0 ? [] : [steps[index - 1].id]);
}

const graphs = new WeakMap<Procedure, StepGraph>();

/** The graph of a stored (checked) procedure: its dependencies name steps that exist and form no cycle. */
export function stepGraph(procedure: Procedure): StepGraph {
  const cached = graphs.get(procedure);
  if (cached) return cached;
  const indexOf = new Map(procedure.steps.map((step, index) => [step.id, index]));
  const dependencies = procedure.steps.map((_, index) =>
    dependencyIdsOf(procedure.steps, index)
      .map((id) => indexOf.get(id))
      .filter((found): found is number => found !== undefined),
  );
  const dependents: number[][] = procedure.steps.map(() => []);
  dependencies.forEach((of, index) => {
    for (const dependency of of) dependents[dependency].push(index);
  });
  const chain = procedure.steps.every(
    (step, index) =>
      !step.when &&
      !step.forEach &&
      (!step.join || step.join.mode === 'ALL') &&
      dependencies[index].length === (index === 0 ? 0 : 1) &&
      (index === 0 || dependencies[index][0] === index - 1),
  );
  const graph = { dependencies, dependents, indexOf, chain };
  graphs.set(procedure, graph);
  return graph;
}

/** `from` and every step that waits for one of them, directly or not. */
export function downstreamOf(dependents: readonly (readonly number[])[], from: Iterable<number>): Set<number> {
  const found = new Set<number>();
  const pending = [...from];
  while (pending.length > 0) {
    const index = pending.pop()!;
    if (found.has(index)) continue;
    found.add(index);
    pending.push(...dependents[index]);
  }
  return found;
}

/** Every step `index` waits for, directly or not (not itself). */
export function upstreamOf(dependencies: readonly (readonly number[])[], index: number): Set<number> {
  const found = downstreamOf(dependencies, dependencies[index]);
  found.delete(index);
  return found;
}

/** A cycle of dependencies as step indexes (first repeated last), or null. */
export function findCycle(dependencies: readonly (readonly number[])[]): number[] | null {
  const state = new Map<number, 'open' | 'done'>();
  for (let root = 0; root < dependencies.length; root++) {
    if (state.has(root)) continue;
    // Depth-first without recursion: the path so far, and for each node the next dependency to look at.
    const path: number[] = [root];
    const next: number[] = [0];
    state.set(root, 'open');
    while (path.length > 0) {
      const node = path.at(-1)!;
      const at = next.at(-1)!;
      if (at >= dependencies[node].length) {
        state.set(node, 'done');
        path.pop();
        next.pop();
        continue;
      }
      next[next.length - 1] = at + 1;
      const dependency = dependencies[node][at];
      if (state.get(dependency) === 'open') return [...path.slice(path.indexOf(dependency)), dependency];
      if (!state.has(dependency)) {
        state.set(dependency, 'open');
        path.push(dependency);
        next.push(0);
      }
    }
  }
  return null;
}

import type { Procedure } from '../procedures/procedure.js';
import { downstreamOf, stepGraph } from '../procedures/step-graph.js';
import type { Handoff } from './handoff.js';
import { type RedriveReset, type RedriveStart, redriveStart } from './lever-transitions.js';

/**
 * What a redrive runs again on a graph: every step a rollback touched (COMPENSATED, COMPENSATING,
 * COMPENSATION_FAILED) or that failed, and everything downstream of them; the others keep their outputs. A
 * step run once per item whose branches alone failed goes on with the branches it has (those reset, the
 * others kept); one downstream of another step that runs again reads its list anew (its branches go). A
 * named `fromStep` adds itself and what is downstream of it; it may not be downstream of a step that must
 * run again (that step would be skipped). On a chain, exactly what redriveStart says.
 */
export type RedriveScope = (RedriveStart & { scope?: undefined }) | { index: number; scope: RedriveReset };

const TOUCHED = new Set(['FAILED', 'COMPENSATED', 'COMPENSATING', 'COMPENSATION_FAILED']);

export function redriveScope(h: Handoff, procedure: Procedure, fromStep: string | null): RedriveScope {
  const graph = stepGraph(procedure);
  const n = procedure.steps.length;
  if (graph.chain && h.steps.length === n) return redriveStart(h, fromStep);
  const nodeOf = (index: number) => {
    const of = h.steps[index].branch?.of;
    return of === undefined ? index : (graph.indexOf.get(of) ?? index);
  };
  const touched = h.steps.flatMap((step, index) => (TOUCHED.has(step.status) ? [index] : []));
  const touchedBranches = touched.filter((index) => index >= n);
  const partly = new Set(touchedBranches.map(nodeOf));
  // Steps that run again from scratch: touched ones (but a step run once per item whose branches failed), and what follows them.
  const seeds = touched.filter((index) => index < n && !partly.has(index));
  let named: number | null = null;
  if (fromStep !== null) {
    named = h.steps.findIndex((step) => step.id === fromStep);
    if (named === -1)
      return { refused: { code: 'WRONG_STATE', field: 'fromStep', message: `the handoff has no step "${fromStep}"` } };
    const node = nodeOf(named);
    const before = touched.map(nodeOf).find((at) => at !== node && downstreamOf(graph.dependents, [at]).has(node));
    if (before !== undefined) {
      return {
        refused: {
          code: 'WRONG_STATE',
          field: 'fromStep',
          message: `step "${h.steps[before].id}" failed or was undone by the rollback: redrive from it or a step it waits for, not from "${fromStep}"`,
        },
      };
    }
    if (named < n) seeds.push(named);
    else partly.add(node);
  }
  const full = downstreamOf(graph.dependents, seeds);
  const reopen = [...partly].filter((node) => !full.has(node) && h.steps[node].fanOut);
  for (const node of reopen)
    for (const after of downstreamOf(graph.dependents, graph.dependents[node])) full.add(after);
  const reset = [...full].filter((index) => index < n);
  const reopened = new Set(reopen);
  h.steps.forEach((step, index) => {
    if (index < n || !reopened.has(nodeOf(index))) return;
    if (TOUCHED.has(step.status) || index === named) reset.push(index);
  });
  const drop = h.steps.flatMap((_, index) => (index >= n && full.has(nodeOf(index)) ? [index] : []));
  const starts = [...full, ...reopen].filter((index) => index < n);
  return {
    index: starts.length > 0 ? Math.min(...starts) : 0,
    scope: { reset: reset.sort((a, b) => a - b), reopen, drop },
  };
}

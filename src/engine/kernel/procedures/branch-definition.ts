import { branchStepId, type Handoff, type StepBranch } from '../handoff/handoff.js';
import type { Procedure, StepDefinition } from './procedure.js';

/**
 * A branch of a step run once per item is that step with the item in its params: a param value `"$item"`
 * is the item, `"$item.<path>"` a field of it (dotted, array positions as numbers), `"$index"` its
 * position. Placeholders are whole values, never code or text templates: nothing else is read.
 */

const ITEM = '$item';
const INDEX = '$index';

function isPlaceholder(value: unknown): value is string {
  return typeof value === 'string' && (value === ITEM || value === INDEX || value.startsWith(`${ITEM}.`));
}

function fieldAt(item: unknown, path: string): unknown {
  let current = item;
  for (const segment of path.split('.')) {
    if (Array.isArray(current) && /^\d+$/.test(segment)) current = current[Number(segment)];
    else if (typeof current === 'object' && current !== null && Object.hasOwn(current, segment))
      current = (current as Record<string, unknown>)[segment];
    else return null;
  }
  return current ?? null;
}

/** `value` with every placeholder in it replaced by `replace(placeholder)`, at any depth. */
function mapPlaceholders(value: unknown, replace: (placeholder: string) => unknown): unknown {
  if (isPlaceholder(value)) return replace(value);
  if (Array.isArray(value)) return value.map((item) => mapPlaceholders(item, replace));
  if (typeof value === 'object' && value !== null) {
    const mapped: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value))
      Object.defineProperty(mapped, key, {
        value: mapPlaceholders(item, replace),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    return mapped;
  }
  return value;
}

/** Whether params hold a placeholder anywhere. */
export function usesPlaceholders(params: Record<string, unknown>): boolean {
  let found = false;
  mapPlaceholders(params, (placeholder) => {
    found = true;
    return placeholder;
  });
  return found;
}

/**
 * Params as a step's kind checks them when the procedure is written, before any item is known: every
 * placeholder stands for `sample` (a string, then a number: see checkAction).
 */
export function paramsForChecking(params: Record<string, unknown>, sample: string | number): Record<string, unknown> {
  return mapPlaceholders(params, () => sample) as Record<string, unknown>;
}

/** Params with the branch's item in place of the placeholders. */
export function paramsWithItem(params: Record<string, unknown>, branch: StepBranch): Record<string, unknown> {
  return mapPlaceholders(params, (placeholder) => {
    if (placeholder === INDEX) return branch.index;
    if (placeholder === ITEM) return branch.item ?? null;
    return fieldAt(branch.item, placeholder.slice(ITEM.length + 1));
  }) as Record<string, unknown>;
}

/** What branch `branch` of `definition` runs: its own id, its item in its params (and its compensation's). */
export function branchDefinition(definition: StepDefinition, branch: StepBranch): StepDefinition {
  const { compensation } = definition;
  return {
    id: branchStepId(definition.id, branch.index),
    name: `${definition.name} [${branch.index}]`,
    kind: definition.kind,
    params: paramsWithItem(definition.params, branch),
    timeoutMs: definition.timeoutMs,
    retry: definition.retry,
    validateRules: definition.validateRules,
    compensation: compensation && {
      ...compensation,
      id: branchStepId(compensation.id, branch.index),
      name: `${compensation.name} [${branch.index}]`,
      params: paramsWithItem(compensation.params, branch),
    },
    after: [],
  };
}

const branchDefinitions = new WeakMap<Procedure, Map<string, StepDefinition>>();

/**
 * The definition step `index` of `handoff` runs: the procedure's step, or for a branch its step with its
 * item in place (kept per procedure version and branch: a branch runs many transitions).
 */
export function definitionAt(procedure: Procedure, handoff: Handoff, index: number): StepDefinition {
  if (index < procedure.steps.length) return procedure.steps[index];
  const step = handoff.steps[index];
  const branch = step.branch;
  if (!branch) throw new Error(`step ${step.id} of handoff ${handoff.id} is neither in its procedure nor a branch`);
  let cache = branchDefinitions.get(procedure);
  if (!cache) {
    cache = new Map();
    branchDefinitions.set(procedure, cache);
  }
  // The item is part of the key: a redrive that reads the list again may put another item at an index.
  const key = `${handoff.id}\u0000${step.id}\u0000${JSON.stringify(branch.item)}`;
  let definition = cache.get(key);
  if (!definition) {
    const of = procedure.steps.find((candidate) => candidate.id === branch.of);
    if (!of) throw new Error(`step ${step.id} of handoff ${handoff.id} is a branch of an unknown step ${branch.of}`);
    if (cache.size >= 10_000) cache.clear();
    definition = branchDefinition(of, branch);
    cache.set(key, definition);
  }
  return definition;
}

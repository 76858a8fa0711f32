import type { UserError } from '../shared/user-error.js';
import type { TestParameters } from './reliability-test.js';

interface Bound {
  min: number;
  max: number;
  integer: boolean;
  /** The minimum itself is not allowed (rates > 0). */
  exclusiveMin?: boolean;
}

/** What a run may ask for: generous, but a typo cannot start a million handoffs. */
export const PARAMETER_BOUNDS: Record<keyof TestParameters, Bound> = {
  iterations: { min: 1, max: 100_000, integer: true },
  timeoutMs: { min: 100, max: 3_600_000, integer: true },
  concurrentLimit: { min: 1, max: 1_000, integer: true },
  failureRate: { min: 0, max: 1, integer: false },
  stressFactor: { min: 1, max: 100, integer: false },
  ratePerSec: { min: 0, max: 10_000, integer: false, exclusiveMin: true },
  windowMs: { min: 100, max: 3_600_000, integer: true },
};

/** Effective in-flight limit after the stress factor (never above the concurrentLimit bound). */
export const MAX_IN_FLIGHT = 1_000;

function describe(bound: Bound): string {
  const kind = bound.integer ? 'an integer' : 'a number';
  return `${kind} ${bound.exclusiveMin ? '>' : '≥'} ${bound.min} and ≤ ${bound.max}`;
}

/** Problems with the given parameter values; `path` prefixes each field path. */
export function checkParameters(
  values: Partial<Record<keyof TestParameters, number | null | undefined>>,
  path: string[],
): UserError[] {
  const errors: UserError[] = [];
  for (const [name, value] of Object.entries(values) as [keyof TestParameters, number | null | undefined][]) {
    if (value === undefined || value === null) continue;
    const bound = PARAMETER_BOUNDS[name];
    if (!bound) continue;
    const bad =
      !Number.isFinite(value) ||
      (bound.integer && !Number.isInteger(value)) ||
      value > bound.max ||
      (bound.exclusiveMin ? value <= bound.min : value < bound.min);
    if (bad)
      errors.push({ field: [...path, name], code: 'INVALID_VALUE', message: `${name} must be ${describe(bound)}` });
  }
  return errors;
}

/** Iterations allowed in flight at once: the limit scaled by the stress factor. */
export function inFlightLimit(parameters: Pick<TestParameters, 'concurrentLimit' | 'stressFactor'>): number {
  return Math.max(1, Math.min(MAX_IN_FLIGHT, Math.round(parameters.concurrentLimit * parameters.stressFactor)));
}

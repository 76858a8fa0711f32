import type { UserErrorCode } from './user-error-codes.js';

export type { UserErrorCode };

/**
 * A mistake the caller can fix (unknown id, invalid definition, wrong state). Services
 * return these instead of throwing; the API shows them as `userErrors`.
 */
export interface UserError {
  /** Path to the offending input field, e.g. ["input", "steps", "2", "timeoutMs"]. */
  field: string[] | null;
  message: string;
  /** Stable SCREAMING_CASE code clients can branch on. */
  code: UserErrorCode;
}

export type Outcome<T> = { ok: true; value: T } | { ok: false; errors: UserError[] };

export function ok<T>(value: T): Outcome<T> {
  return { ok: true, value };
}

export function fail<T = never>(code: UserErrorCode, message: string, field: string[] | null = null): Outcome<T> {
  return { ok: false, errors: [{ code, message, field }] };
}

export function failAll<T = never>(errors: UserError[]): Outcome<T> {
  return { ok: false, errors };
}

import type { DurationSketch } from './duration-sketch.js';
import { normalCdf, normalQuantile } from './normal-distribution.js';

/**
 * Timeout advice needs this many successful attempts: then the p99.9 it starts from rests on at
 * least one measured attempt beyond it.
 */
export const TIMEOUT_ADVICE_MIN_SUCCESSES = 1_000;
/** The recommended timeout is the p99.9 of what attempts take, times this. */
export const TIMEOUT_MARGIN = 1.25;
/** …and never below this (a step that takes a millisecond still gets room for a slow moment). */
export const TIMEOUT_FLOOR_MS = 100;
const Z_999 = normalQuantile(0.999);

/** A log-normal fit of attempt durations: log-duration has mean `mu` and standard deviation `sigma`. */
export interface LogNormalFit {
  mu: number;
  sigma: number;
}

export interface TimeoutAdvice {
  recommendedMs: number;
  /** The p99.9 of the successful attempts as measured. */
  observedP999Ms: number;
  /**
   * The p99.9 of every attempt, those cut off by the timeout included, from a log-normal fit of the
   * measured ones (see fitCensored); equal to the observed one when no attempt timed out.
   */
  estimatedP999Ms: number;
  method: 'OBSERVED' | 'CENSORED_FIT';
  /** Successful attempts that finished within the recommended timeout. */
  successesWithin: number;
  /** Attempts that timed out which, by the fit, would have finished within the recommended timeout. */
  timeoutsRecoveredEstimate: number;
  /** successesWithin + timeoutsRecoveredEstimate: attempts that would have succeeded with it (timed-out ones by estimate). */
  wouldHaveSucceeded: number;
  explanation: string;
}

/**
 * Fits a log-normal to durations cut off at the timeout: attempts that timed out ran at least the
 * timeout, so the measured (successful) ones are the share `s = successes / (successes + timeouts)`
 * of all, and the true quantile at level p (p < s) is the measured one at p/s. Two such quantiles
 * (the true p = 0.5·s and 0.95·s) fix the fit. Null when the measured spread is nil.
 */
export function fitCensored(durations: DurationSketch, successes: number, timeouts: number): LogNormalFit | null {
  const share = successes / (successes + timeouts);
  const low = Math.max(1, durations.quantile(0.5));
  const high = Math.max(1, durations.quantile(0.95));
  const zLow = normalQuantile(0.5 * share);
  const zHigh = normalQuantile(0.95 * share);
  if (high <= low || zHigh <= zLow) return null;
  const sigma = (Math.log(high) - Math.log(low)) / (zHigh - zLow);
  return { mu: Math.log(low) - sigma * zLow, sigma };
}

function fittedCdf(fit: LogNormalFit, ms: number): number {
  return normalCdf((Math.log(Math.max(ms, 1)) - fit.mu) / fit.sigma);
}

function roundUp(ms: number): number {
  const step = ms < 1_000 ? 10 : ms < 10_000 ? 100 : 1_000;
  return Math.ceil(ms / step) * step;
}

/** The timeout to recommend from the successful attempts' sketch and how many timed out at `currentMs`. */
export function adviseTimeout(
  durations: DurationSketch,
  successes: number,
  timeouts: number,
  currentMs: number,
): TimeoutAdvice | null {
  if (successes < TIMEOUT_ADVICE_MIN_SUCCESSES) return null;
  const observed = durations.quantile(0.999);
  const fit = timeouts > 0 ? fitCensored(durations, successes, timeouts) : null;
  const estimated = fit ? Math.exp(fit.mu + Z_999 * fit.sigma) : observed;
  const recommendedMs = Math.max(TIMEOUT_FLOOR_MS, roundUp(Math.max(observed, estimated) * TIMEOUT_MARGIN));
  const successesWithin = Math.round(successes * durations.fractionAtOrBelow(recommendedMs));
  const beyondCurrent = fit ? 1 - fittedCdf(fit, currentMs) : 0;
  const recovered =
    fit && beyondCurrent > 0 && recommendedMs > currentMs
      ? Math.round((timeouts * (fittedCdf(fit, recommendedMs) - fittedCdf(fit, currentMs))) / beyondCurrent)
      : 0;
  const method = fit ? 'CENSORED_FIT' : 'OBSERVED';
  const basis = fit
    ? `${timeouts} of ${successes + timeouts} attempts timed out at ${currentMs} ms, so the measured durations are cut off there; a log-normal fitted to the ${successes} successful ones (their p50 and p95, shifted by the share cut off) puts the p99.9 of all attempts at ${Math.round(estimated)} ms (measured p99.9 of the successful ones: ${observed} ms)`
    : `no attempt timed out; the p99.9 of ${successes} successful attempts is ${observed} ms`;
  return {
    recommendedMs,
    observedP999Ms: observed,
    estimatedP999Ms: Math.round(estimated),
    method,
    successesWithin,
    timeoutsRecoveredEstimate: recovered,
    wouldHaveSucceeded: successesWithin + recovered,
    explanation: `${basis}. Recommended: that p99.9 × ${TIMEOUT_MARGIN} (the margin), rounded up: ${recommendedMs} ms. With it, ${successesWithin} of the ${successes} successful attempts finish in time${timeouts > 0 ? ` and, by the fit, about ${recovered} of the ${timeouts} that timed out would have finished too` : ''}.`,
  };
}

import type { RetryPolicy } from '../kernel/procedures/procedure.js';
import type { StepStats } from './insight-store.js';
import { RETRY_DELAY_BANDS, retryDelayBand } from './retry-delay-band.js';

/** Retry advice needs this many retries (second and later attempts) measured. */
export const RETRY_ADVICE_MIN_RETRIES = 30;
/** A back-off band is compared with the others once it has this many retries. */
const BAND_MIN_RETRIES = 10;
/** What the recommended attempts aim for: a step fails for good at most this often. */
export const RETRY_TARGET_FAILURE_RATE = 0.001;
const MAX_RECOMMENDED_ATTEMPTS = 10;
/** A band whose retries succeed this much less often than the best band's is not good enough. */
const BAND_TOLERANCE = 0.05;
/** The first back-off recommended for each band (a current one inside the chosen band is kept). */
const BAND_DELAY_MS: Record<string, number> = {
  '<100ms': 50,
  '<1s': 500,
  '<10s': 5_000,
  '<1min': 30_000,
  '≥1min': 60_000,
};

export interface RetryBandOutcome {
  band: string;
  retries: number;
  successes: number;
}

export interface RetryAdvice {
  recommendedMaxAttempts: number;
  recommendedInitialDelayMs: number;
  /** First attempts that failed, of those that finished. */
  firstFailureRate: number;
  /** Second and later attempts that succeeded, of those that finished. */
  retrySuccessRate: number;
  byDelay: RetryBandOutcome[];
  explanation: string;
}

function percent(share: number): string {
  return `${(share * 100).toFixed(1)}%`;
}

/** Attempts needed so that (first failure rate) × (1 − retry success rate)^(attempts − 1) ≤ the target. */
function attemptsFor(firstFailureRate: number, retrySuccessRate: number): number {
  if (firstFailureRate <= RETRY_TARGET_FAILURE_RATE) return 1;
  if (retrySuccessRate <= 0) return 1;
  if (retrySuccessRate >= 1) return 2;
  const extra = Math.ceil(Math.log(RETRY_TARGET_FAILURE_RATE / firstFailureRate) / Math.log(1 - retrySuccessRate));
  return Math.min(MAX_RECOMMENDED_ATTEMPTS, 1 + Math.max(1, extra));
}

/** The shortest back-off band whose retries succeed about as often as the best one's. */
function chooseDelay(byDelay: RetryBandOutcome[], current: RetryPolicy): { delayMs: number; why: string } {
  const measured = byDelay.filter((band) => band.retries >= BAND_MIN_RETRIES);
  if (measured.length === 0)
    return {
      delayMs: current.initialDelayMs,
      why: 'no back-off band has enough retries to compare: the current back-off stays',
    };
  const rate = (band: RetryBandOutcome) => band.successes / band.retries;
  const best = Math.max(...measured.map(rate));
  const chosen = measured.find((band) => rate(band) >= best - BAND_TOLERANCE)!;
  const delayMs =
    retryDelayBand(current.initialDelayMs) === chosen.band ? current.initialDelayMs : BAND_DELAY_MS[chosen.band]!;
  const compared = measured
    .map((band) => `${band.band}: ${band.successes}/${band.retries} (${percent(rate(band))})`)
    .join(', ');
  return {
    delayMs,
    why: `retries by back-off before them: ${compared}; the shortest within ${percent(BAND_TOLERANCE)} of the best is ${chosen.band}, so the first back-off is ${delayMs} ms`,
  };
}

/** Attempts and back-off to recommend from how first and later attempts went. */
export function adviseRetry(stats: StepStats, current: RetryPolicy): RetryAdvice | null {
  if (stats.retries < RETRY_ADVICE_MIN_RETRIES || stats.firstAttempts === 0) return null;
  const firstFailureRate = stats.firstFailures / stats.firstAttempts;
  const retrySuccessRate = stats.retrySuccesses / stats.retries;
  const byDelay = RETRY_DELAY_BANDS.map(({ label }) => ({
    band: label,
    retries: stats.retriesByDelay[label]?.retries ?? 0,
    successes: stats.retriesByDelay[label]?.successes ?? 0,
  })).filter((band) => band.retries > 0);
  const attempts = attemptsFor(firstFailureRate, retrySuccessRate);
  const delay = chooseDelay(byDelay, current);
  return {
    recommendedMaxAttempts: attempts,
    recommendedInitialDelayMs: delay.delayMs,
    firstFailureRate,
    retrySuccessRate,
    byDelay,
    explanation:
      `${stats.firstFailures} of ${stats.firstAttempts} first attempts failed (${percent(firstFailureRate)}); ` +
      `${stats.retrySuccesses} of ${stats.retries} retries succeeded (${percent(retrySuccessRate)}). ` +
      `${attempts} attempt(s) keep the share of steps that fail for good at or below ${percent(RETRY_TARGET_FAILURE_RATE)} ` +
      `(${percent(firstFailureRate)} × ${percent(1 - retrySuccessRate)}^${attempts - 1} ≈ ${percent(firstFailureRate * (1 - retrySuccessRate) ** (attempts - 1))}). ` +
      `Back-off: ${delay.why}.`,
  };
}

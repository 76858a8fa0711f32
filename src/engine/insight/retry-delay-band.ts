/** The back-off band a retry went out after: what retry advice compares. */
export const RETRY_DELAY_BANDS = [
  { label: '<100ms', below: 100 },
  { label: '<1s', below: 1_000 },
  { label: '<10s', below: 10_000 },
  { label: '<1min', below: 60_000 },
  { label: '≥1min', below: Number.POSITIVE_INFINITY },
] as const;

export function retryDelayBand(delayMs: number): string {
  return RETRY_DELAY_BANDS.find((band) => delayMs < band.below)!.label;
}

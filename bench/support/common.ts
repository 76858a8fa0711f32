import fs from 'node:fs';

/** BENCH_QUICK=1: one short run of everything (a smoke test of the benchmarks, not figures). */
export const QUICK = process.env.BENCH_QUICK === '1';
/** Runs per figure; each figure is the median of these. */
export const RUNS = QUICK ? 1 : Number(process.env.BENCH_RUNS ?? 3);

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** One line of the results table. `ratio` is measured against `reference` in the same run. */
export interface Row {
  section: string;
  name: string;
  value: number;
  unit: string;
  /** Every run's value, when the figure is a median. */
  runs?: number[];
  ratio?: number;
  reference?: string;
  goal?: string;
  met?: boolean;
  note?: string;
}

/** What a part script hands back to bench/run.ts. */
export interface PartResult {
  rows: Row[];
  details?: Record<string, unknown>;
}

/** Parts run as child processes; they write their result to the file named by BENCH_OUT. */
export function report(result: PartResult): void {
  const out = process.env.BENCH_OUT;
  if (out) fs.writeFileSync(out, JSON.stringify(result));
  else console.log(JSON.stringify(result, null, 2));
}

export function gc(): void {
  const collect = (globalThis as { gc?: () => void }).gc;
  if (!collect) throw new Error('run with node --expose-gc');
  collect();
  collect();
}

export function memory(): { rssMb: number; heapMb: number } {
  const usage = process.memoryUsage();
  return { rssMb: usage.rss / 2 ** 20, heapMb: usage.heapUsed / 2 ** 20 };
}

export const round = (value: number, digits = 0): number => Number(value.toFixed(digits));

export function log(message: string): void {
  process.stderr.write(`  ${message}\n`);
}

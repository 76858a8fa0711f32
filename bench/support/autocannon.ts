import { createRequire } from 'node:module';

/** The part of autocannon's programmatic API we use (it ships no types). */
export interface AutocannonOptions {
  url: string;
  method?: 'POST' | 'GET';
  headers?: Record<string, string>;
  body?: string;
  connections?: number;
  duration?: number;
  amount?: number;
  pipelining?: number;
}

export interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  non2xx: number;
  errors: number;
  duration: number;
}

const autocannon = createRequire(import.meta.url)('autocannon') as (
  options: AutocannonOptions,
) => Promise<AutocannonResult>;

export function load(options: AutocannonOptions): Promise<AutocannonResult> {
  return autocannon({ method: 'POST', headers: { 'content-type': 'application/json' }, ...options });
}

import { collectDefaultMetrics, Registry } from 'prom-client';

/** One registry per app (tests run several apps in one process), with Node's process figures. */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

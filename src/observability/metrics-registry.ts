import { usePrometheus } from '@graphql-yoga/plugin-prometheus';
import type { Plugin } from 'graphql-yoga';
import { collectDefaultMetrics, Registry } from 'prom-client';

/** One registry per app (tests run several apps in one process), with Node's process figures. */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * Yoga's Prometheus plugin: GraphQL request counts, errors, validation-phase and HTTP latency histograms,
 * served as Prometheus text on `endpoint`. URL and operation-name labels are off: both are
 * chosen by the client, so they would let any caller grow the number of series without bound.
 */
export function useRequestMetrics(registry: Registry, endpoint: string): Plugin {
  return usePrometheus({
    registry,
    endpoint,
    labels: { url: false, operationName: false },
    metrics: {
      // Per-phase histograms cost more per request than they tell; HTTP duration covers latency.
      graphql_envelop_phase_parse: false,

      graphql_envelop_phase_context: false,
      graphql_envelop_phase_execute: false,
      graphql_envelop_phase_subscribe: false,
      graphql_envelop_request_time_summary: false,
      graphql_envelop_deprecated_field: false,
      graphql_envelop_schema_change: false,
    },
  });
}

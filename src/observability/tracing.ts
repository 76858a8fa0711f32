import { useOpenTelemetry } from '@envelop/opentelemetry';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, type Tracer, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type IdGenerator,
  RandomIdGenerator,
  SimpleSpanProcessor,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';
import type { Plugin } from 'graphql-yoga';
import type { Config } from '../config.js';
import type { FinishedSpan, SpanSink } from '../engine/insight/span-sink.js';

/**
 * Ids the SDK draws at random, except while a span the engine named is being recorded: its ids are
 * derived from the handoff it belongs to (see engine/insight/trace-ids.ts), so every process names it
 * alike and a webhook call could carry it before it ended. Recording is synchronous, so the ids set for
 * one span are taken by that span alone.
 */
class EngineNamedIds implements IdGenerator {
  private readonly random = new RandomIdGenerator();
  next: { traceId: string; spanId: string } | null = null;

  generateTraceId(): string {
    return this.next?.traceId ?? this.random.generateTraceId();
  }

  generateSpanId(): string {
    return this.next?.spanId ?? this.random.generateSpanId();
  }
}

/** The engine's spans as OpenTelemetry spans, with the ids and times the engine decided. */
class TracerSpanSink implements SpanSink {
  constructor(
    private readonly tracer: Tracer,
    private readonly ids: EngineNamedIds,
  ) {}

  record(span: FinishedSpan): void {
    const parent = span.parentSpanId
      ? trace.setSpanContext(ROOT_CONTEXT, {
          traceId: span.traceId,
          spanId: span.parentSpanId,
          traceFlags: TraceFlags.SAMPLED,
          isRemote: true,
        })
      : ROOT_CONTEXT;
    this.ids.next = { traceId: span.traceId, spanId: span.spanId };
    let started: ReturnType<Tracer['startSpan']>;
    try {
      started = this.tracer.startSpan(
        span.name,
        { kind: SpanKind.INTERNAL, startTime: span.startTime, attributes: span.attributes },
        parent,
      );
    } finally {
      this.ids.next = null;
    }
    if (span.error !== null) started.setStatus({ code: SpanStatusCode.ERROR, message: span.error });
    started.end(span.endTime);
  }
}

export interface Tracing {
  /** Where the engine records handoff spans. */
  spans: SpanSink;
  /** Traces GraphQL operations (parse, validate, execute). */
  yogaPlugin: Plugin;
  /** Sends what is buffered, then stops. */
  shutdown(): Promise<void>;
}

/**
 * OpenTelemetry tracing when it is configured (OTEL_EXPORTER_OTLP_ENDPOINT or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: spans exported over OTLP/HTTP in batches), or when a test hands
 * in an exporter; otherwise null: nothing is traced, no SDK is built, nothing is spent.
 */
export function createTracing(
  config: Pick<Config, 'otlpTracesEndpoint' | 'otelServiceName'>,
  exporter?: SpanExporter,
): Tracing | null {
  if (!exporter && !config.otlpTracesEndpoint) return null;
  const processor = exporter
    ? new SimpleSpanProcessor(exporter)
    : new BatchSpanProcessor(new OTLPTraceExporter({ url: config.otlpTracesEndpoint! }));
  const ids = new EngineNamedIds();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': config.otelServiceName }),
    idGenerator: ids,
    spanProcessors: [processor],
  });
  const tracer = provider.getTracer('handoff');
  return {
    spans: new TracerSpanSink(tracer, ids),
    // Operation names and documents only: variables and results may hold what clients sent in confidence.
    yogaPlugin: useOpenTelemetry(
      { resolvers: false, variables: false, result: false, document: true },
      provider,
      SpanKind.SERVER,
      {},
      config.otelServiceName,
    ) as Plugin,
    shutdown: () => provider.shutdown(),
  };
}

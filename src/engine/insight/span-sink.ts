/** A span that ended, with its ids and times decided by the engine (see trace-ids.ts). */
export interface FinishedSpan {
  traceId: string;
  spanId: string;
  /** Null for a trace's root. */
  parentSpanId: string | null;
  name: string;
  /** Epoch ms. */
  startTime: number;
  endTime: number;
  attributes: Record<string, string | number | boolean>;
  /** Why it failed; null when it succeeded. */
  error: string | null;
}

/**
 * Where the engine's spans go: an OpenTelemetry tracer provider in the server (see
 * src/observability/tracing.ts), which exports them over OTLP. Absent when tracing is off: then the
 * engine records nothing and spends nothing on it.
 */
export interface SpanSink {
  record(span: FinishedSpan): void;
}

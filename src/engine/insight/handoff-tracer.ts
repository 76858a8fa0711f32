import type { EventBus } from '../kernel/events/event-bus.js';
import { type Handoff, runOf } from '../kernel/handoff/handoff.js';
import { type HandoffEvent, isFinalEvent } from '../kernel/handoff/handoff-event.js';
import type { HandoffStore } from '../kernel/ports/handoff-store.js';
import type { Logger } from '../shared/logger.js';
import { procedureNamedBy } from './handoff-trail.js';
import type { FinishedSpan, SpanSink } from './span-sink.js';
import { attemptSpan, compensationSpan, ROLLBACK_SPAN, RUN_SPAN, spanIdOf, traceIdOf } from './trace-ids.js';

/** Handoffs followed at once; the oldest is let go beyond this (its spans then start at the best time known). */
const MAX_FOLLOWED = 50_000;

interface Followed {
  procedureId: string | null;
  version: number;
  /** When each run began (created or redriven), by run. */
  runStarts: Map<number, number>;
  /** When each attempt began, by span part. */
  attemptStarts: Map<string, number>;
  rollbackStart: number | null;
}

type Attributes = FinishedSpan['attributes'];

/**
 * Turns the events this process commits into spans: one trace per handoff run, its root the run,
 * a child per step attempt, and under a rollback span a child per compensation attempt, each with
 * the procedure, version, step, attempt, outcome and error code. Only events this process stored are
 * traced here, so across processes every span is recorded once, by the process that ended it.
 */
export class HandoffTracer {
  private readonly followed = new Map<string, Followed>();

  constructor(private readonly options: { bus: EventBus; handoffs: HandoffStore; sink: SpanSink; logger: Logger }) {}

  start(): () => void {
    return this.options.bus.executed.subscribe((event) => this.on(event));
  }

  private on(event: HandoffEvent): void {
    const run = event.run ?? 1;
    const followed = this.follow(event);
    switch (event.type) {
      case 'HANDOFF_CREATED':
      case 'HANDOFF_REDRIVEN':
        followed.runStarts.set(run, event.at);
        break;
      case 'STEP_STARTED':
      case 'STEP_WAITING':
        followed.attemptStarts.set(attemptSpan(event.step!, event.attempt ?? 1), event.at);
        break;
      case 'COMPENSATION_STARTED':
        followed.attemptStarts.set(compensationSpan(event.step!, event.attempt ?? 1), event.at);
        break;
      case 'ROLLBACK_STARTED':
        followed.rollbackStart = event.at;
        break;
      case 'STEP_SUCCEEDED':
      case 'STEP_FAILED':
        this.emit(event, followed, (procedure) => this.attemptSpan(event, followed, procedure, 'step'));
        break;
      case 'COMPENSATION_SUCCEEDED':
      case 'COMPENSATION_FAILED':
        this.emit(event, followed, (procedure) => this.attemptSpan(event, followed, procedure, 'undo'));
        break;
    }
    if (isFinalEvent(event)) {
      this.followed.delete(event.handoffId);
      this.emit(event, followed, (procedure, handoff) => this.runSpans(event, followed, procedure, handoff));
    }
  }

  private follow(event: HandoffEvent): Followed {
    let followed = this.followed.get(event.handoffId);
    if (!followed) {
      followed = { procedureId: null, version: 0, runStarts: new Map(), attemptStarts: new Map(), rollbackStart: null };
      this.followed.set(event.handoffId, followed);
      if (this.followed.size > MAX_FOLLOWED) this.followed.delete(this.followed.keys().next().value!);
    }
    const named = procedureNamedBy(event);
    if (named) Object.assign(followed, named);
    return followed;
  }

  /**
   * Records the spans `build` makes once the procedure is known: from the events, or (for a handoff
   * another process created, or a final event) from the stored handoff.
   */
  private emit(
    event: HandoffEvent,
    followed: Followed,
    build: (procedure: Attributes, handoff: Handoff | null) => FinishedSpan[],
  ): void {
    const final = isFinalEvent(event);
    if (followed.procedureId !== null && !final) {
      this.record(build(this.procedureAttributes(followed), null));
      return;
    }
    this.options.handoffs
      .get(event.handoffId)
      .then((handoff) => {
        if (handoff && followed.procedureId === null)
          Object.assign(followed, { procedureId: handoff.procedureId, version: handoff.procedureVersion });
        this.record(build(this.procedureAttributes(followed), handoff));
      })
      .catch((error) =>
        this.options.logger.warn({ err: error, handoffId: event.handoffId }, 'handoff spans not recorded'),
      );
  }

  private record(spans: FinishedSpan[]): void {
    for (const span of spans) this.options.sink.record(span);
  }

  private procedureAttributes(followed: Followed): Attributes {
    return followed.procedureId === null
      ? {}
      : { 'handoff.procedure': followed.procedureId, 'handoff.procedure_version': followed.version };
  }

  private attemptSpan(
    event: HandoffEvent,
    followed: Followed,
    procedure: Attributes,
    kind: 'step' | 'undo',
  ): FinishedSpan[] {
    const run = event.run ?? 1;
    const attempt = event.attempt ?? 1;
    const part = kind === 'step' ? attemptSpan(event.step!, attempt) : compensationSpan(event.step!, attempt);
    const succeeded = event.type === 'STEP_SUCCEEDED' || event.type === 'COMPENSATION_SUCCEEDED';
    const timedOut = event.data?.timeout === true;
    const code = typeof event.data?.code === 'string' ? event.data.code : null;
    const started = followed.attemptStarts.get(part) ?? event.at - (event.durationMs ?? 0);
    followed.attemptStarts.delete(part);
    return [
      {
        traceId: traceIdOf(event.handoffId, run),
        spanId: spanIdOf(event.handoffId, run, part),
        parentSpanId: spanIdOf(event.handoffId, run, kind === 'step' ? RUN_SPAN : ROLLBACK_SPAN),
        name: kind === 'step' ? `step ${event.step}` : `compensate ${event.step}`,
        startTime: started,
        endTime: event.at,
        attributes: {
          ...procedure,
          'handoff.id': event.handoffId,
          'handoff.run': run,
          'handoff.step': event.step!,
          'handoff.attempt': attempt,
          'handoff.outcome': succeeded ? 'SUCCEEDED' : timedOut ? 'TIMED_OUT' : 'FAILED',
          ...(code ? { 'handoff.error_code': code } : {}),
        },
        error: succeeded ? null : event.message,
      },
    ];
  }

  /** At the run's final event: the rollback span (if it rolled back) and the run's root span. */
  private runSpans(
    event: HandoffEvent,
    followed: Followed,
    procedure: Attributes,
    handoff: Handoff | null,
  ): FinishedSpan[] {
    const run = event.run ?? (handoff ? runOf(handoff) : 1);
    const traceId = traceIdOf(event.handoffId, run);
    const rootId = spanIdOf(event.handoffId, run, RUN_SPAN);
    const base = { ...procedure, 'handoff.id': event.handoffId, 'handoff.run': run };
    const spans: FinishedSpan[] = [];
    const rolledBack = followed.rollbackStart !== null || ['ROLLED_BACK', 'ROLLBACK_FAILED'].includes(event.status);
    if (rolledBack) {
      spans.push({
        traceId,
        spanId: spanIdOf(event.handoffId, run, ROLLBACK_SPAN),
        parentSpanId: rootId,
        name: 'rollback',
        startTime: followed.rollbackStart ?? event.at,
        endTime: event.at,
        attributes: { ...base, 'handoff.outcome': event.status },
        error: event.status === 'ROLLED_BACK' || event.status === 'CANCELLED' ? null : event.message,
      });
    }
    const started =
      followed.runStarts.get(run) ??
      (run === 1 ? handoff?.createdAt : handoff?.startedAt) ??
      handoff?.createdAt ??
      event.at;
    const code = handoff?.errorCode ?? null;
    spans.push({
      traceId,
      spanId: rootId,
      parentSpanId: null,
      name: `handoff ${followed.procedureId ?? ''}`.trim(),
      startTime: started,
      endTime: event.at,
      attributes: { ...base, 'handoff.outcome': event.status, ...(code ? { 'handoff.error_code': code } : {}) },
      error: event.status === 'COMPLETED' ? null : (handoff?.error ?? event.message),
    });
    return spans;
  }
}

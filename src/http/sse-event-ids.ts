import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Resumable Server-Sent Events for streams of numbered events (handoffProgress, validationProgress,
 * agentFeed): each event goes out with an `id: <seq>` line, and a stock browser `EventSource` that
 * lost its connection reconnects with a `Last-Event-ID` header naming the last one it received. The
 * stream then replays from the event after it (the resolvers read it as the stream's start), so every
 * event arrives exactly once however often the connection drops.
 */

/** What a subscription resolver and this plugin share about the stream of one SSE request. */
export interface StreamEventIds {
  /** Over SSE: the Last-Event-ID the client sent (a whole number ≥ 0), else null. */
  resumeAfter: number | null;
  /** Set by a numbered stream's resolver for the event it is resolving: the id that event goes out with. */
  eventId: number | null;
  /**
   * Set by a live feed's resolver (handoffEvents) for the event it is resolving, as `handoffId#seq`:
   * a shared feed tells a subscriber it closes for falling behind which event it last got.
   */
  eventMark?: string | null;
}

/** The Last-Event-ID header of an SSE request as a resume point, or null (absent, or not a seq we sent). */
export function resumePoint(headers: Headers | undefined, transport: string): number | null {
  if (transport !== 'sse') return null;
  const raw = headers?.get('last-event-id')?.trim();
  if (!raw || !/^\d{1,15}$/.test(raw)) return null;
  return Number(raw);
}

/**
 * Adds the `id:` line to every SSE event whose resolver marked it (withEventId). Yoga writes each
 * event as `event: next` and `data: <result.stringify(result)>`; a result's own `stringify` (a Yoga
 * feature for custom serializers) appends `\nid: <seq>`, so the event keeps Yoga's framing and pings.
 * Other transports never see it: graphql-ws frames results itself.
 */
export function useSseEventIds(): Plugin<StreamEventIds & { transport?: string }> {
  return {
    onSubscribe({ args }) {
      const context = args.contextValue;
      if (context.transport !== 'sse') return;
      return {
        onSubscribeResult() {
          return {
            onNext({ result, setResult }) {
              const id = context.eventId;
              if (id === null || id === undefined) return;
              context.eventId = null;
              const stringify = (value: ExecutionResult) => `${JSON.stringify(value)}\nid: ${id}`;
              setResult({ ...result, stringify } as ExecutionResult);
            },
          };
        },
      };
    },
  };
}

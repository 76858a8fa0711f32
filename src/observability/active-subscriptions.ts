import type { Plugin } from 'graphql-yoga';
import { Gauge, type Registry } from 'prom-client';

export type Transport = 'ws' | 'sse';

/**
 * Wraps a subscription's event stream so `onEnd` runs exactly once, however the stream ends:
 * exhausted, failed, or closed by the client (return) — even if it was never iterated.
 */
export function onStreamEnd<T>(stream: AsyncIterable<T>, onEnd: () => void): AsyncIterableIterator<T> {
  const iterator = stream[Symbol.asyncIterator]();
  let ended = false;
  const end = (): void => {
    if (ended) return;
    ended = true;
    onEnd();
  };
  const settle = async (step: Promise<IteratorResult<T>>): Promise<IteratorResult<T>> => {
    try {
      const result = await step;
      if (result.done) end();
      return result;
    } catch (error) {
      end();
      throw error;
    }
  };
  const wrapped: AsyncIterableIterator<T> = {
    next: () => settle(iterator.next()),
    return: (value?: unknown) => {
      end();
      return iterator.return ? settle(iterator.return(value)) : Promise.resolve({ done: true, value: value as T });
    },
    throw: (error?: unknown) => {
      end();
      return iterator.throw ? settle(iterator.throw(error)) : Promise.reject(error);
    },
    [Symbol.asyncIterator]: () => wrapped,
  };
  return wrapped;
}

export interface ActiveSubscriptions {
  /** Counts SSE subscriptions in the envelop subscribe phase. */
  plugin: Plugin<{ transport?: Transport }>;
  /**
   * Counts one graphql-ws subscription for as long as `stream` runs. graphql-ws counts its own:
   * identical live subscriptions share one envelop execution, but each is a subscriber.
   */
  trackWebSocket<T>(stream: AsyncIterable<T>): AsyncIterableIterator<T>;
  /** Subscriptions streaming from this process right now, by transport (what the gauge shows). */
  count(): { ws: number; sse: number };
}

/**
 * `handoff_active_subscriptions{transport}`: subscriptions streaming right now, over graphql-ws
 * (`ws`) and Server-Sent Events (`sse`).
 */
export function createActiveSubscriptionsGauge(registry: Registry): ActiveSubscriptions {
  const gauge = new Gauge({
    name: 'handoff_active_subscriptions',
    help: 'GraphQL subscriptions currently streaming, by transport.',
    labelNames: ['transport'],
    registers: [registry],
  });
  gauge.set({ transport: 'ws' }, 0);
  gauge.set({ transport: 'sse' }, 0);
  const open = { ws: 0, sse: 0 };
  const opened = (transport: Transport) => {
    open[transport] += 1;
    gauge.inc({ transport });
  };
  const closed = (transport: Transport) => {
    open[transport] -= 1;
    gauge.dec({ transport });
  };
  return {
    count: () => ({ ...open }),
    plugin: {
      onSubscribe({ args }) {
        if ((args.contextValue as { transport?: Transport }).transport === 'ws') return undefined;
        return {
          onSubscribeResult({ result, setResult }) {
            if (!(Symbol.asyncIterator in result)) return;
            opened('sse');
            setResult(onStreamEnd(result, () => closed('sse')));
          },
        };
      },
    },
    trackWebSocket(stream) {
      opened('ws');
      return onStreamEnd(stream, () => closed('ws'));
    },
  };
}

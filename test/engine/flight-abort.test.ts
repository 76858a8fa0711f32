import { describe, expect, it } from 'vitest';
import { FlightAbort } from '../../src/engine/kernel/runner/flight-abort.js';

/** FlightAbort stands in for an AbortSignal where an attempt's outer abort is read: it must behave as one there. */
describe('FlightAbort', () => {
  it('calls the listeners there are at the abort, once, with the first reason kept', () => {
    const abort = new FlightAbort();
    const seen: unknown[] = [];
    const removed = () => seen.push('removed');
    abort.addEventListener('abort', () => seen.push(abort.reason));
    abort.addEventListener('abort', removed);
    abort.removeEventListener('abort', removed);
    abort.abort('cancel');
    abort.abort('shutdown');
    abort.addEventListener('abort', () => seen.push('late'));
    expect(seen).toEqual(['cancel']);
    expect([abort.aborted, abort.reason]).toEqual([true, 'cancel']);
  });

  it('gives an AbortError as the reason of an abort without one, as an AbortSignal does', () => {
    const abort = new FlightAbort();
    const controller = new AbortController();
    abort.abort();
    controller.abort();
    expect(abort.reason).toBeInstanceOf(DOMException);
    expect((abort.reason as DOMException).name).toBe((controller.signal.reason as DOMException).name);
  });
});

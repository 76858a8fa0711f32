import { describe, expect, it } from 'vitest';
import { AttemptAbort } from '../../src/engine/kernel/runner/attempt-abort.js';

describe('AttemptAbort', () => {
  it('rejects `aborted` and fires a signal read before the abort, with the first reason only', async () => {
    const attempt = new AttemptAbort();
    const { signal } = attempt;
    const seen: unknown[] = [];
    signal.addEventListener('abort', () => seen.push(signal.reason));
    attempt.abort('timeout');
    attempt.abort('cancel');
    await expect(attempt.aborted).rejects.toBe('timeout');
    expect(seen).toEqual(['timeout']);
  });

  it('gives a signal read after the abort that is already aborted with the reason', () => {
    const attempt = new AttemptAbort();
    attempt.abort('cancel');
    expect(attempt.signal.aborted).toBe(true);
    expect(attempt.signal.reason).toBe('cancel');
  });

  it('never rejects unhandled when nobody waits on `aborted`', async () => {
    const unhandled: unknown[] = [];
    const record = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', record);
    try {
      new AttemptAbort().abort('shutdown');
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', record);
    }
  });
});

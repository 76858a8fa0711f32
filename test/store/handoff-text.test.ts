import { describe, expect, it } from 'vitest';
import type { Handoff } from '../../src/engine/kernel/handoff/handoff.js';
import { stateText } from '../../src/store/handoff-text.js';

const sample = () =>
  ({
    id: 'h1',
    procedureId: 'P',
    status: 'RUNNING',
    steps: [{ id: 'a', status: 'RUNNING', startedAt: 1_796_690_423_389 }],
    metadata: { secret: 'not in the state' },
    updatedAt: 5,
    createdAt: 1,
  }) as unknown as Handoff;

describe('stateText', () => {
  it('is the handoff without its metadata and with the time given, key for key, and leaves the handoff as it was', () => {
    const handoff = sample();
    const text = stateText(handoff, 9);
    expect(text).toBe(JSON.stringify({ ...sample(), metadata: undefined, updatedAt: 9 }));
    expect(handoff).toEqual(sample());
  });

  it('adds the time at the end for a handoff that has none yet, as a copy would', () => {
    const { updatedAt: _, ...without } = sample() as Handoff & { updatedAt?: number };
    const handoff = without as Handoff;
    expect(stateText(handoff, 9)).toBe(JSON.stringify({ ...without, metadata: undefined, updatedAt: 9 }));
    expect(handoff.metadata).toEqual({ secret: 'not in the state' });
    expect(handoff.updatedAt).toBeUndefined();
  });

  it('writes a frozen handoff (a finished one from the cache), or a sealed one without a time, without changing it', () => {
    const handoff = Object.freeze(sample());
    expect(stateText(handoff, 9)).toBe(JSON.stringify({ ...sample(), metadata: undefined, updatedAt: 9 }));
    const { updatedAt: _, ...without } = sample() as Handoff & { updatedAt?: number };
    const sealed = Object.seal(without) as Handoff;
    expect(stateText(sealed, 9)).toBe(JSON.stringify({ ...without, metadata: undefined, updatedAt: 9 }));
    expect(sealed.metadata).toEqual({ secret: 'not in the state' });
  });
});

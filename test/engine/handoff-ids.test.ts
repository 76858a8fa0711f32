import { describe, expect, it } from 'vitest';
import { randomUuid, seededRandom, timeOrderedUuid } from '../../src/engine/shared/random.js';

describe('timeOrderedUuid', () => {
  it('is a version-7 UUID whose first 48 bits are the time given', () => {
    const id = timeOrderedUuid(seededRandom(1), 0x0193_a1b2_c3d4);
    expect(id).toMatch(/^0193a1b2-c3d4-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('sorts by time whatever its random bits, where version-4 ids do not', () => {
    const random = seededRandom(7);
    const ordered = Array.from({ length: 500 }, (_, i) => timeOrderedUuid(random, 1_700_000_000_000 + i));
    expect([...ordered].sort()).toEqual(ordered);
    const unordered = Array.from({ length: 500 }, () => randomUuid(random));
    expect([...unordered].sort()).not.toEqual(unordered);
  });

  it('stays a well-formed UUID for a clock that reads no finite time', () => {
    expect(timeOrderedUuid(seededRandom(2), Number.NaN)).toMatch(
      /^00000000-0000-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });

  it('draws distinct ids within one millisecond', () => {
    const random = seededRandom(3);
    const ids = new Set(Array.from({ length: 1_000 }, () => timeOrderedUuid(random, 1_700_000_000_000)));
    expect(ids.size).toBe(1_000);
  });
});

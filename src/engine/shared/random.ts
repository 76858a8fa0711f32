/** Randomness, injected and seedable so failure injection and jitter are reproducible. */
export interface Random {
  /** A number in [0, 1). */
  next(): number;
}

/** mulberry32: tiny, fast and good enough for jitter and fault injection. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return {
    next() {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
  };
}

export const systemRandom: Random = { next: () => Math.random() };

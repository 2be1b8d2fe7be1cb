/**
 * Reproducible random numbers for generated test cases and benchmark scenarios: the same
 * seed gives the same cases on every machine, so a failure can be replayed.
 */
export interface SeededRandom {
  /** Uniform on [0, 1). */
  next(): number;
  /** Standard normal (Box-Muller). */
  normal(): number;
  /** Integer in [min, max]. */
  int(min: number, max: number): number;
}

export function seededRandom(seed: number): SeededRandom {
  // mulberry32: small, fast and good enough for simulation (not for secrets).
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    normal: () => {
      const u = 1 - next();
      const v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
  };
}

// Timing shared by the benchmarks: the best wall time of a few runs, the least a noisy machine adds.

/** Runs `fn` `n` times, one after another, and returns the fastest run in seconds. */
export async function bestOfSeconds(fn: () => Promise<unknown>, n = 3): Promise<number> {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    best = Math.min(best, performance.now() - t0);
  }
  return best / 1000;
}

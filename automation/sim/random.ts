/**
 * Seeded pseudo-random numbers for the simulation. A rehearsal must be deterministic for a
 * given scenario and seed, so nothing in automation/sim may call Math.random.
 *
 * Each concern (users, latency, faults, crashes) draws from its own stream derived from the
 * seed and a label, so that one concern drawing more numbers (e.g. a strategy that sends more
 * messages) does not shift the numbers another concern sees.
 */

/** sfc32 generator state step; small, fast and statistically good enough for a simulation. */
function sfc32(a: number, b: number, c: number, d: number): () => number {
  return () => {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

/** 32-bit string hash (cyrb53 core) so labels map to independent seeds. */
function hash32(text: string, seed: number): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  return h1 >>> 0;
}

export class Random {
  private readonly next: () => number;

  constructor(
    readonly seed: number,
    readonly label = "root",
  ) {
    const s = hash32(label, seed);
    this.next = sfc32(0x9e3779b9, s, hash32(label + "#", s), seed >>> 0);
    // Warm up: the first outputs of sfc32 correlate with the seed words.
    for (let i = 0; i < 12; i++) this.next();
  }

  /** An independent stream for one concern. */
  fork(label: string): Random {
    return new Random(this.seed, `${this.label}/${label}`);
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.next();
  }

  /** true with probability p. */
  chance(p: number): boolean {
    return p > 0 && this.next() < p;
  }

  /** Uniform integer in [min, max] (inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Exponentially distributed with the given mean (mean 0 gives 0). */
  exponential(mean: number): number {
    if (mean <= 0) return 0;
    return -Math.log(1 - this.next()) * mean;
  }

  /** base scaled by a factor uniform in [1 - jitter, 1 + jitter]. */
  jittered(base: number, jitter: number): number {
    if (jitter <= 0) return base;
    return base * (1 + jitter * (2 * this.next() - 1));
  }
}

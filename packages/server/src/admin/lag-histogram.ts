/**
 * A fixed-size histogram of delivery lags for one sample period: O(1) per observation and
 * 64 numbers of memory however many events pass, so the p99 of every tenant's second costs the
 * same. Buckets grow by 25% from 0.1 ms, so a p99 is reported within 25% above the true value.
 */
const FIRST_BUCKET_MS = 0.1;
const GROWTH = 1.25;
const BUCKETS = 64;
const LOG_GROWTH = Math.log(GROWTH);

/** The bucket of `ms`: the first whose upper bound is at least `ms`. */
export function lagBucketOf(ms: number): number {
  if (!(ms > FIRST_BUCKET_MS)) return 0;
  const i = Math.ceil(Math.log(ms / FIRST_BUCKET_MS) / LOG_GROWTH - 1e-9);
  return Math.min(BUCKETS - 1, i);
}

/** The upper bound (ms) of bucket `i`; the last bucket also holds everything above it. */
export function lagBucketUpperMs(i: number): number {
  return FIRST_BUCKET_MS * GROWTH ** i;
}

export class LagHistogram {
  private readonly counts = new Array<number>(BUCKETS).fill(0);
  private total = 0;

  observe(ms: number): void {
    this.observeBucket(lagBucketOf(ms));
  }

  /** Counts one lag already put in bucket `i` (lagBucketOf), to share the log between two. */
  observeBucket(i: number): void {
    this.counts[i] = (this.counts[i] ?? 0) + 1;
    this.total++;
  }

  get count(): number {
    return this.total;
  }

  /** The upper bound (ms) of the bucket holding quantile `q` (0..1), or undefined when empty. */
  quantileMs(q: number): number | undefined {
    if (this.total === 0) return undefined;
    const rank = Math.ceil(q * this.total);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i] ?? 0;
      if (seen >= rank) return roundMs(lagBucketUpperMs(i));
    }
    return roundMs(lagBucketUpperMs(BUCKETS - 1));
  }
}

/** Three significant decimals are plenty on a chart and keep the JSON short. */
function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

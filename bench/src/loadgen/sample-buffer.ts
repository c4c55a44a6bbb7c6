/**
 * Latency samples of one worker and one window. Past `cap` it keeps a uniform reservoir
 * (Vitter's algorithm R), so a long M6 at high rate stays within bounded memory while its
 * percentiles stay unbiased.
 */
export class SampleBuffer {
  private data: Float64Array;
  private size = 0;
  private seen = 0;

  constructor(
    private readonly cap: number,
    initial = 4096,
  ) {
    this.data = new Float64Array(Math.min(initial, cap));
  }

  add(value: number): void {
    const k = this.seen++;
    if (this.size < this.cap) {
      if (this.size === this.data.length) {
        const grown = new Float64Array(Math.min(this.cap, this.data.length * 2));
        grown.set(this.data);
        this.data = grown;
      }
      this.data[this.size++] = value;
      return;
    }
    const j = Math.floor(Math.random() * (k + 1));
    if (j < this.cap) this.data[j] = value;
  }

  /** Samples added since the last take (kept or not). */
  get count(): number {
    return this.seen;
  }

  /** Hands the samples over (a fresh, exactly sized array, transferable) and starts empty. */
  take(): Float64Array {
    const out = this.data.slice(0, this.size);
    this.size = 0;
    this.seen = 0;
    return out;
  }
}

/** Counts per second over a sliding 10 s window, in 10 buckets: O(1) per count. */
export class RateWindow {
  private readonly buckets = new Array<number>(10).fill(0);
  private second = 0;

  add(n: number, nowMs = Date.now()): void {
    const s = this.rotate(nowMs);
    this.buckets[s % 10] = (this.buckets[s % 10] ?? 0) + n;
  }

  perSecond(nowMs = Date.now()): number {
    this.rotate(nowMs);
    return this.buckets.reduce((a, b) => a + b, 0) / 10;
  }

  private rotate(nowMs: number): number {
    const s = Math.floor(nowMs / 1000);
    if (s !== this.second) {
      const gap = Math.min(s - this.second, 10);
      for (let i = 1; i <= gap; i++) this.buckets[(this.second + i) % 10] = 0;
      this.second = s;
    }
    return s;
  }
}

/**
 * Counted slots per key (a user, a tenant, a client address): `take` refuses past a maximum,
 * `release` gives one back. Keys with no slot held are forgotten, so the map holds only keys
 * in use: a stranger cycling through addresses or names cannot grow it.
 */
export class SlotCounter {
  private readonly counts = new Map<string, number>();

  /** Slots held under `key`. */
  count(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  /** Takes a slot unless `key` holds `max` already; `max` of 0 means no limit. */
  take(key: string, max: number): boolean {
    const n = this.counts.get(key) ?? 0;
    if (max > 0 && n >= max) return false;
    this.counts.set(key, n + 1);
    return true;
  }

  release(key: string): void {
    const n = (this.counts.get(key) ?? 1) - 1;
    if (n <= 0) this.counts.delete(key);
    else this.counts.set(key, n);
  }

  /** Keys that hold a slot. */
  get size(): number {
    return this.counts.size;
  }
}

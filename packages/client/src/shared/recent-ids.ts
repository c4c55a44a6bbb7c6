/**
 * A bounded set of recently seen ids: a tab drops an event it already delivered (a new leader
 * replays from the last cursor it saw, which other tabs may have passed). Oldest ids go first,
 * so memory stays bounded whatever the stream.
 */
export class RecentIds {
  private readonly seen = new Set<string>();

  constructor(private readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError('capacity must be a positive integer');
  }

  get size(): number {
    return this.seen.size;
  }

  has(id: string): boolean {
    return this.seen.has(id);
  }

  /** Records `id`; `true` the first time it is seen (within the last `capacity` ids). */
  firstTime(id: string): boolean {
    if (this.seen.has(id)) return false;
    this.seen.add(id);
    // A Set iterates in insertion order: its first entry is the oldest.
    if (this.seen.size > this.capacity) {
      const oldest = this.seen.values().next();
      if (oldest.done !== true) this.seen.delete(oldest.value);
    }
    return true;
  }
}

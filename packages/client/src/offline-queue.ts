/**
 * A bounded FIFO for publishes made while disconnected. When full, pushing evicts the OLDEST
 * item and hands it back so the caller can reject it: the newest data is usually the one an
 * app still cares about when it comes back online.
 */
export class OfflineQueue<T> {
  private items: T[] = [];

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.items.length;
  }

  /** Appends `item`; returns the evicted item (the oldest, or `item` itself at capacity 0). */
  push(item: T): T | undefined {
    if (this.capacity <= 0) return item;
    this.items.push(item);
    return this.items.length > this.capacity ? this.items.shift() : undefined;
  }

  /**
   * Puts an item back at the head, over capacity if need be: it was accepted once already
   * (an in-flight publish whose connection dropped).
   */
  unshift(item: T): void {
    this.items.unshift(item);
  }

  /** Removes and returns every item, oldest first. */
  drain(): T[] {
    const out = this.items;
    this.items = [];
    return out;
  }
}

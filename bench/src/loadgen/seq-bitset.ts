/**
 * Exactly-once accounting in any order: one bit per sequence number, grown on demand. `storm`
 * needs it where M3/M6 get by with a 31-wide window (seq-window.ts): publishes retried while
 * the server restarts may land hundreds of numbers out of order, and a peer's client may miss
 * any stretch of them. 150 events cost a client 19 bytes; 100,000 cost 12.5 KB.
 */
export class SeqBitset {
  private bits: Uint8Array;
  /** Sequence numbers seen at least once. */
  distinct = 0;
  /** Deliveries of a sequence number already seen. */
  duplicates = 0;

  constructor(initialBytes = 16) {
    this.bits = new Uint8Array(initialBytes);
  }

  /** Records a delivery of `seq` (≥ 1); true when it is the first. */
  record(seq: number): boolean {
    const byte = seq >>> 3;
    if (byte >= this.bits.length) {
      let size = this.bits.length * 2;
      while (size <= byte) size *= 2;
      const grown = new Uint8Array(size);
      grown.set(this.bits);
      this.bits = grown;
    }
    const mask = 1 << (seq & 7);
    const old = this.bits[byte] as number;
    if ((old & mask) !== 0) {
      this.duplicates++;
      return false;
    }
    this.bits[byte] = old | mask;
    this.distinct++;
    return true;
  }

  has(seq: number): boolean {
    const byte = seq >>> 3;
    return byte < this.bits.length && ((this.bits[byte] as number) & (1 << (seq & 7))) !== 0;
  }

  /** How many of `from..to` (inclusive) were never seen. */
  missing(from: number, to: number): number {
    let n = 0;
    for (let s = Math.max(1, from); s <= to; s++) if (!this.has(s)) n++;
    return n;
  }
}

/**
 * Exactly-once accounting per connection that tolerates reordering. Concurrent POSTs (M3, M6)
 * may reach a target in another order than their sequence numbers, so "a gap is a loss" would
 * be wrong; instead each connection keeps the next sequence it lacks plus a 31-bit window of
 * the ones already seen after it. Two numbers per connection, no allocation.
 */

export interface SeqWindow {
  /** The lowest sequence number not yet received. */
  nextSeq: number;
  /** Bit i set: sequence `nextSeq + 1 + i` was received. */
  ahead: number;
}

/** Window width: a sequence further ahead than this declares the ones before it lost. */
export const AHEAD_BITS = 31;

export const DUPLICATE = -1;

/** Records one delivery: 0 when new, DUPLICATE when seen before, else how many it declares lost. */
export function recordSeq(w: SeqWindow, seq: number): number {
  const d = seq - w.nextSeq;
  if (d < 0) return DUPLICATE;
  if (d === 0) {
    w.nextSeq++;
    let ahead = w.ahead;
    while ((ahead & 1) !== 0) {
      ahead >>>= 1;
      w.nextSeq++;
    }
    w.ahead = ahead >>> 1;
    return 0;
  }
  if (d <= AHEAD_BITS) {
    const bit = 1 << (d - 1);
    if ((w.ahead & bit) !== 0) return DUPLICATE;
    w.ahead = (w.ahead | bit) >>> 0;
    return 0;
  }
  // Too far ahead to remember: everything missing before `seq` is counted lost now.
  const lost = d - popcount(w.ahead);
  w.nextSeq = seq + 1;
  w.ahead = 0;
  return lost;
}

/**
 * Closes the books up to `lastSeq`: returns how many of the sequences up to it never came,
 * and moves the window past it (a straggler arriving later counts as a duplicate).
 */
export function settleSeq(w: SeqWindow, lastSeq: number): number {
  if (w.nextSeq > lastSeq) return 0;
  const span = lastSeq - w.nextSeq; // sequences after nextSeq up to lastSeq
  const mask = span >= AHEAD_BITS ? 0x7fffffff : (1 << span) - 1;
  const lost = span + 1 - popcount(w.ahead & mask);
  const shift = span + 1;
  w.nextSeq = lastSeq + 1;
  w.ahead = shift >= 32 ? 0 : w.ahead >>> shift;
  return lost;
}

function popcount(x: number): number {
  let v = x >>> 0;
  let n = 0;
  while (v !== 0) {
    v &= v - 1;
    n++;
  }
  return n;
}

/**
 * Pure arithmetic of the `polling` scenario: from every client's first-seen time of every
 * change and when each change was made, the time from a change to every client having it
 * (per change: the slowest client) and the distribution over every client and change.
 */

export interface ChangeLatencies {
  /** Per change, the slowest client's delay (ms); NaN where some client never saw it. */
  timeToAllMs: Float64Array;
  /** Every (client, change) delay that was seen, ms, unsorted. */
  perClientMs: Float64Array;
  /** (client, change) pairs never seen. */
  unseen: number;
}

/**
 * `seen` holds `clients × changes` first-seen times client by client (0 = never), on the same
 * clock as `changeAtMs` (when each change was issued).
 */
export function changeLatencies(
  seen: Float64Array,
  changeAtMs: Float64Array,
  clients: number,
): ChangeLatencies {
  const changes = changeAtMs.length;
  const timeToAllMs = new Float64Array(changes);
  const perClient: number[] = [];
  let unseen = 0;
  for (let k = 0; k < changes; k++) {
    const at = changeAtMs[k] as number;
    let slowest = 0;
    for (let c = 0; c < clients; c++) {
      const t = seen[c * changes + k] as number;
      if (t === 0) {
        unseen++;
        slowest = Number.NaN;
        continue;
      }
      // A poll answered a moment before the changer's clock reading cannot be faster than 0.
      const delay = Math.max(0, t - at);
      perClient.push(delay);
      if (delay > slowest) slowest = delay;
    }
    timeToAllMs[k] = clients === 0 ? Number.NaN : slowest;
  }
  return { timeToAllMs, perClientMs: Float64Array.from(perClient), unseen };
}

/**
 * The phase of poller `index` of `total` within an interval: evenly spread, as real clients
 * that loaded the page at random times would be.
 */
export function pollPhaseMs(index: number, total: number, intervalMs: number): number {
  return total <= 0 ? 0 : (index / total) * intervalMs;
}

/** The ids of the rows change `version` updates: a run of `rows` consecutive ids, wrapping. */
export function changedIds(version: number, rows: number, items: number): number[] {
  const start = (version * 7919) % items;
  return Array.from({ length: Math.min(rows, items) }, (_, j) => ((start + j) % items) + 1);
}

/**
 * Removes the entries of nodes that stopped beating and reports the users who left with them
 * (redis.ts runs it from the heartbeat of every live node; redis-scripts.ts has the layout).
 */
import type { Redis } from 'ioredis';
import type { PresenceChange, PresenceEntry } from './presence.js';
import { CLAIM, REAP_ORG, decodeEntry, runScript, type PresenceKeys } from './redis-scripts.js';

/** Entries one reap script removes at most: bounds how long one call blocks Redis. */
const REAP_BATCH = 500;
/** Dead nodes one round claims at most; the rest wait for the next beat. */
const CLAIM_MAX = 16;
/** Orgs of a dead node read per round trip. */
const ORGS_PER_READ = 64;

export interface Reaper {
  redis: Redis;
  keys: PresenceKeys;
  /** The reaping incarnation, which never claims itself. */
  self: string;
  /** How long a claim holds before another node may take the dead node over. */
  leaseMs: number;
  /** Checked between steps: a closing node stops, and its lease lets another go on. */
  isClosed(): boolean;
  onExpired(left: PresenceChange[]): void;
}

/**
 * Claims the dead nodes (exactly one live node gets each) and removes their entries, org by
 * org and batch by batch, reporting each batch's leavers as it goes. Each entry is popped by
 * one script call, so even two reapers of one node (a lease that ran out) report it once.
 */
export async function reapDeadNodes(r: Reaper): Promise<void> {
  const claimed = await runScript(
    r.redis,
    CLAIM,
    [r.keys.nodes, r.keys.reaping],
    [r.self, String(r.leaseMs), String(CLAIM_MAX)],
  );
  for (const dead of Array.isArray(claimed) ? (claimed as unknown[]) : [])
    if (typeof dead === 'string' && !r.isClosed()) await reapNode(r, dead);
}

async function reapNode(r: Reaper, dead: string): Promise<void> {
  const orgsKey = r.keys.orgsOf(dead);
  for (;;) {
    const orgs = await r.redis.srandmember(orgsKey, ORGS_PER_READ);
    if (orgs.length === 0) break;
    for (const org of orgs) {
      for (let popped = REAP_BATCH; popped === REAP_BATCH;) {
        if (r.isClosed()) return;
        const reply = await runScript(
          r.redis,
          REAP_ORG,
          [r.keys.index(org, dead)],
          [r.keys.orgPrefix(org), dead, String(REAP_BATCH)],
        );
        const [count, ...pairs] = Array.isArray(reply) ? (reply as unknown[]) : [];
        popped = typeof count === 'number' ? count : 0;
        const left: PresenceChange[] = [];
        for (let i = 0; i + 1 < pairs.length; i += 2) {
          const [channel, stored] = [pairs[i], pairs[i + 1]];
          if (typeof channel === 'string' && typeof stored === 'string')
            left.push(presenceChange(org, channel, decodeEntry(stored)));
        }
        if (left.length > 0) r.onExpired(left);
      }
      // Only once the org's index is empty: a reaper stopping before this leaves it listed.
      await r.redis.srem(orgsKey, org);
    }
  }
  await r.redis.multi().del(orgsKey).zrem(r.keys.reaping, dead).exec();
}

export function presenceChange(org: string, channel: string, entry: PresenceEntry): PresenceChange {
  const change: PresenceChange = { org, channel, user: entry.user };
  if (entry.info !== undefined) change.info = entry.info;
  return change;
}

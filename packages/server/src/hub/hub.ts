/**
 * The node's subscription index, per org: `match(org, channel)` finds every subscription whose
 * pattern matches. Orgs never share an index, which is what keeps tenants apart on fan-out.
 */
import { PatternIndex } from './pattern-trie.js';

export class Hub<T> {
  private readonly orgs = new Map<string, PatternIndex<T>>();
  /** Subscriptions that asked for presence join/leave, by org and concrete channel. */
  private readonly watchers = new Map<string, Set<T>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(org: string, pattern: string, value: T): void {
    let index = this.orgs.get(org);
    if (index === undefined) this.orgs.set(org, (index = new PatternIndex()));
    if (index.add(pattern, value)) this.count++;
  }

  delete(org: string, pattern: string, value: T): void {
    const index = this.orgs.get(org);
    if (index === undefined) return;
    if (index.delete(pattern, value)) this.count--;
    if (index.isEmpty) this.orgs.delete(org);
  }

  match(org: string, channel: string, visit: (value: T) => void): void {
    this.orgs.get(org)?.match(channel, visit);
  }

  /**
   * Presence watchers are a separate index so a `join` on a busy channel visits only those
   * who asked for it, not every subscriber (a full scan made ramps O(N²)).
   */
  watch(org: string, channel: string, value: T): void {
    const key = `${org}\0${channel}`;
    let set = this.watchers.get(key);
    if (set === undefined) this.watchers.set(key, (set = new Set()));
    set.add(value);
  }

  unwatch(org: string, channel: string, value: T): void {
    const key = `${org}\0${channel}`;
    const set = this.watchers.get(key);
    if (set !== undefined && set.delete(value) && set.size === 0) this.watchers.delete(key);
  }

  watchersOf(org: string, channel: string): ReadonlySet<T> | undefined {
    return this.watchers.get(`${org}\0${channel}`);
  }

  exactMatches(org: string, channel: string): ReadonlySet<T> | undefined {
    return this.orgs.get(org)?.exactMatches(channel);
  }
}

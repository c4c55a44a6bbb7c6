/**
 * The node's subscription index, per org: `match(org, channel)` finds every subscription whose
 * pattern matches. Orgs never share an index, which is what keeps tenants apart on fan-out.
 */
import { PatternIndex } from './pattern-trie.js';

export class Hub<T> {
  private readonly orgs = new Map<string, PatternIndex<T>>();
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

  exactMatches(org: string, channel: string): ReadonlySet<T> | undefined {
    return this.orgs.get(org)?.exactMatches(channel);
  }
}

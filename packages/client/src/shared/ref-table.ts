/**
 * The hub's subscription table: tab subscriptions grouped by key (pattern and presence flag),
 * so several tabs on `inventory.*` share one subscription of the hub's client, which ends with
 * the last tab subscription, whether unsubscribed or gone with its tab. Pure bookkeeping.
 */
export interface Unref<K> {
  key: K;
  /** The key has no tab subscription left: end the hub's. */
  last: boolean;
}

export class RefTable<K> {
  /** key → tab → its subscription ids on that key. */
  private readonly byKey = new Map<K, Map<string, Set<number>>>();
  /** `${tab} ${id}` → key, to find a subscription from an `unsub`. */
  private readonly keyOf = new Map<string, K>();

  /** Adds a tab subscription; `true` when the key is new (subscribe the hub's client). */
  add(key: K, tab: string, id: number): boolean {
    const ref = `${tab} ${id}`;
    if (this.keyOf.has(ref)) return false; // a repeated `sub` (a hello after a resend)
    this.keyOf.set(ref, key);
    let tabs = this.byKey.get(key);
    const first = tabs === undefined;
    if (tabs === undefined) {
      tabs = new Map();
      this.byKey.set(key, tabs);
    }
    let ids = tabs.get(tab);
    if (ids === undefined) {
      ids = new Set();
      tabs.set(tab, ids);
    }
    ids.add(id);
    return first;
  }

  /** Removes one tab subscription; undefined when unknown. */
  remove(tab: string, id: number): Unref<K> | undefined {
    const ref = `${tab} ${id}`;
    const key = this.keyOf.get(ref);
    if (key === undefined) return undefined;
    this.keyOf.delete(ref);
    const tabs = this.byKey.get(key);
    const ids = tabs?.get(tab);
    ids?.delete(id);
    if (ids?.size === 0) tabs?.delete(tab);
    const last = tabs === undefined || tabs.size === 0;
    if (last) this.byKey.delete(key);
    return { key, last };
  }

  /** Removes every subscription of a tab (closed or gone); the keys left without any. */
  removeTab(tab: string): K[] {
    const emptied: K[] = [];
    for (const [key, tabs] of this.byKey) {
      const ids = tabs.get(tab);
      if (ids === undefined) continue;
      for (const id of ids) this.keyOf.delete(`${tab} ${id}`);
      tabs.delete(tab);
      if (tabs.size === 0) {
        this.byKey.delete(key);
        emptied.push(key);
      }
    }
    return emptied;
  }

  /** Forgets a key and its tab subscriptions (the server ended it); who held it. */
  drop(key: K): { tab: string; ids: number[] }[] {
    const members = this.members(key);
    for (const { tab, ids } of members) for (const id of ids) this.keyOf.delete(`${tab} ${id}`);
    this.byKey.delete(key);
    return members;
  }

  /** The tab subscriptions on `key`, by tab. */
  members(key: K): { tab: string; ids: number[] }[] {
    const tabs = this.byKey.get(key);
    if (tabs === undefined) return [];
    return [...tabs].map(([tab, ids]) => ({ tab, ids: [...ids] }));
  }

  keys(): K[] {
    return [...this.byKey.keys()];
  }

  has(key: K): boolean {
    return this.byKey.has(key);
  }
}

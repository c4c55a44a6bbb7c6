/**
 * Subscription index for one org: exact channels in a map, wildcard patterns in a trie keyed
 * by segment, so a lookup costs O(segments), never a scan of all patterns (ARCHITECTURE.md).
 */
interface TrieNode<T> {
  children: Map<string, TrieNode<T>> | undefined;
  star: TrieNode<T> | undefined;
  /** Values whose pattern ends here. */
  here: Set<T> | undefined;
  /** Values whose pattern ends with `>` right after this node. */
  rest: Set<T> | undefined;
}

const newNode = <T>(): TrieNode<T> => ({
  children: undefined,
  star: undefined,
  here: undefined,
  rest: undefined,
});

export class PatternIndex<T> {
  private readonly exact = new Map<string, Set<T>>();
  private readonly root: TrieNode<T> = newNode();
  private wildcardCount = 0;

  get isEmpty(): boolean {
    return this.exact.size === 0 && this.wildcardCount === 0;
  }

  /** Adds the pair; false when it was already there (it is held once, like a Set). */
  add(pattern: string, value: T): boolean {
    if (!isWildcard(pattern)) {
      let set = this.exact.get(pattern);
      if (set === undefined) this.exact.set(pattern, (set = new Set()));
      if (set.has(value)) return false;
      set.add(value);
      return true;
    }
    const segments = pattern.split('.');
    let node = this.root;
    for (let i = 0; i < segments.length; i++) {
      const s = segments[i] as string;
      if (s === '>') return this.addTo((node.rest ??= new Set()), value);
      if (s === '*') node = node.star ??= newNode();
      else {
        node.children ??= new Map();
        let next = node.children.get(s);
        if (next === undefined) node.children.set(s, (next = newNode()));
        node = next;
      }
    }
    return this.addTo((node.here ??= new Set()), value);
  }

  /** `wildcardCount` counts held wildcard pairs, so `isEmpty` stays true to the sets. */
  private addTo(set: Set<T>, value: T): boolean {
    if (set.has(value)) return false;
    set.add(value);
    this.wildcardCount++;
    return true;
  }

  /** Removes the pair; false when it was not there. */
  delete(pattern: string, value: T): boolean {
    if (!isWildcard(pattern)) {
      const set = this.exact.get(pattern);
      if (set === undefined || !set.delete(value)) return false;
      if (set.size === 0) this.exact.delete(pattern);
      return true;
    }
    const segments = pattern.split('.');
    const path: TrieNode<T>[] = [this.root];
    let node: TrieNode<T> | undefined = this.root;
    for (const s of segments) {
      if (s === '>') break;
      node = s === '*' ? node.star : node.children?.get(s);
      if (node === undefined) return false;
      path.push(node);
    }
    const set = segments[segments.length - 1] === '>' ? node.rest : node.here;
    if (set === undefined || !set.delete(value)) return false;
    this.wildcardCount--;
    // Prune empty nodes bottom-up so churn does not grow the trie forever.
    for (let i = path.length - 1; i > 0; i--) {
      const n = path[i] as TrieNode<T>;
      if (n.here?.size || n.rest?.size || n.star || n.children?.size) break;
      const parent = path[i - 1] as TrieNode<T>;
      const seg = segments[i - 1] as string;
      if (seg === '*') parent.star = undefined;
      else parent.children?.delete(seg);
    }
    return true;
  }

  /** Exact subscribers of a concrete channel (no wildcards). */
  exactMatches(channel: string): ReadonlySet<T> | undefined {
    return this.exact.get(channel);
  }

  /** Calls `visit` for every value whose pattern matches the concrete `channel`. */
  match(channel: string, visit: (value: T) => void): void {
    const exact = this.exact.get(channel);
    if (exact !== undefined) for (const v of exact) visit(v);
    if (this.wildcardCount === 0) return;
    this.walk(this.root, channel.split('.'), 0, visit);
  }

  private walk(node: TrieNode<T>, segments: string[], i: number, visit: (value: T) => void): void {
    if (i === segments.length) {
      if (node.here !== undefined) for (const v of node.here) visit(v);
      return;
    }
    if (node.rest !== undefined) for (const v of node.rest) visit(v);
    const child = node.children?.get(segments[i] as string);
    if (child !== undefined) this.walk(child, segments, i + 1, visit);
    if (node.star !== undefined) this.walk(node.star, segments, i + 1, visit);
  }
}

function isWildcard(pattern: string): boolean {
  return pattern.includes('*') || pattern.includes('>');
}

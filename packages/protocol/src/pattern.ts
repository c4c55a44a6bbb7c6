/**
 * Pattern matching and coverage (docs/protocol.md §1, §6). `*` is exactly one segment; `>` (last
 * only) is one or more. Inputs are assumed valid names (see channel.ts).
 */

/** Does `pattern` match the concrete `channel`? Walks both strings without splitting. */
export function matchPattern(pattern: string, channel: string): boolean {
  let p = 0;
  let c = 0;
  const pl = pattern.length;
  const cl = channel.length;
  for (;;) {
    const pEnd = indexOrEnd(pattern, p);
    const cEnd = indexOrEnd(channel, c);
    const segLen = pEnd - p;
    if (segLen === 1 && pattern.charCodeAt(p) === 62 /* > */) return c < cl;
    if (c >= cl) return false;
    if (!(segLen === 1 && pattern.charCodeAt(p) === 42) /* * */) {
      if (cEnd - c !== segLen || !channel.startsWith(pattern.slice(p, pEnd), c)) return false;
    }
    p = pEnd + 1;
    c = cEnd + 1;
    if (p > pl) return c > cl;
    if (c > cl) return false;
  }
}

function indexOrEnd(s: string, from: number): number {
  const i = s.indexOf('.', from);
  return i === -1 ? s.length : i;
}

/**
 * Is every channel that `pattern` can match also matched by at least one of `grants`?
 * The union counts: `['a.*', 'a.*.>']` covers `a.>`. Works segment by segment:
 * a literal segment keeps grants whose segment is that literal or `*`; a `*` keeps only `*`
 * grants (a literal grant covers one value out of infinitely many); a `>` grant covers any
 * non-empty rest; a `>` in the pattern is `*` followed by nothing or by `>` again.
 */
export function coversPattern(grants: readonly string[], pattern: string): boolean {
  return covers(
    grants.map((g) => g.split('.')),
    pattern.split('.'),
  );
}

function covers(grants: readonly (readonly string[])[], pattern: readonly string[]): boolean {
  if (grants.length === 0) return false;
  if (pattern.length === 0) return grants.some((g) => g.length === 0);
  const live = grants.filter((g) => g.length > 0);
  if (live.some((g) => g[0] === '>')) return true;
  const head = pattern[0] as string;
  const rest = pattern.slice(1);
  if (head === '>') {
    const starRest = live.filter((g) => g[0] === '*').map((g) => g.slice(1));
    return covers(starRest, []) && covers(starRest, ['>']);
  }
  const next = live
    .filter((g) => g[0] === '*' || (head !== '*' && g[0] === head))
    .map((g) => g.slice(1));
  return covers(next, rest);
}

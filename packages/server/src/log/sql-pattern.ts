/**
 * Channel patterns (PROTOCOL.md §1) as SQL predicates, so a SQL log's database drops the rows a
 * read does not want before they reach JS. Pure: each returns text with placeholders and the
 * values to bind.
 *
 * Names hold only `[A-Za-z0-9_\-:@=+]` and dots, so a literal segment holds none of GLOB's
 * metacharacters (`*?[]`); LIKE is never used (its `_` is a wildcard, and in SQLite it ignores
 * case). A regex escapes every character outside `[A-Za-z0-9_]`, which in PostgreSQL's regex
 * language always stands for itself.
 */
import { isWildcardPattern } from '@hubcast/protocol';

export interface SqlPredicate<P> {
  sql: string;
  params: P[];
}

/** The number of dots in `channel`, for SQLite. */
const SQLITE_DOTS = "(length(channel) - length(replace(channel, '.', '')))";

/**
 * A SQLite GLOB for `pattern`: `*` and `>` both become GLOB's `*`, and the predicate adds the
 * channel's dot count (equal, or at least as many for `>`), so no `*` can swallow a dot and
 * match two segments. That is exact, except when a literal segment follows a `*` before a
 * `>` (`*.b.>`): the extra dots may then sit in the `*` instead of the `>`, and the GLOB also
 * keeps channels whose later segments fit (`x.y.b.z`). Readers test each row in JS anyway.
 */
export function patternGlob(pattern: string): string {
  return pattern
    .split('.')
    .map((segment) => (segment === '>' ? '*' : segment))
    .join('.');
}

/** Does the SQLite predicate of `pattern` keep exactly its channels (see `patternGlob`)? */
export function isSqliteExact(pattern: string): boolean {
  if (!pattern.endsWith('>')) return true;
  const prefix = pattern.split('.').slice(0, -1);
  const firstStar = prefix.indexOf('*');
  return firstStar === -1 || prefix.slice(firstStar).every((s) => s === '*');
}

/** SQLite: the channel matches one of `patterns` (`?` placeholders; none is false). */
export function sqlitePatternPredicate(patterns: readonly string[]): SqlPredicate<string | number> {
  const concrete = patterns.filter((p) => !isWildcardPattern(p));
  const terms: string[] = [];
  const params: (string | number)[] = [];
  if (concrete.length > 0) {
    terms.push(`channel IN (${concrete.map(() => '?').join(', ')})`);
    params.push(...concrete);
  }
  for (const pattern of patterns) {
    if (!isWildcardPattern(pattern)) continue;
    const dots = pattern.split('.').length - 1;
    // `>` stands for at least one segment: as many dots as the pattern, or more.
    terms.push(`(channel GLOB ? AND ${SQLITE_DOTS} ${pattern.endsWith('>') ? '>=' : '='} ?)`);
    params.push(patternGlob(pattern), dots);
  }
  return { sql: terms.length === 0 ? '0' : `(${terms.join(' OR ')})`, params };
}

/** A PostgreSQL regex (ARE) matching exactly the channels of `pattern`, anchored. */
export function patternRegex(pattern: string): string {
  const body = pattern
    .split('.')
    .map((segment) =>
      segment === '*'
        ? '[^.]+'
        : segment === '>'
          ? '.+'
          : segment.replace(/[^A-Za-z0-9_]/g, (c) => `\\${c}`),
    )
    .join('\\.');
  return `^${body}$`;
}

/**
 * PostgreSQL: the channel matches one of `patterns`, with `$n` placeholders from `firstParam`:
 * concrete ones by equality, wildcard ones by one regex of alternatives (one automaton per
 * row, however many patterns a resume brings).
 */
export function postgresPatternPredicate(
  patterns: readonly string[],
  firstParam: number,
): SqlPredicate<string | string[]> {
  const concrete = patterns.filter((p) => !isWildcardPattern(p));
  const wild = patterns.filter((p) => isWildcardPattern(p));
  const terms: string[] = [];
  const params: (string | string[])[] = [];
  if (concrete.length > 0) {
    // An array, not array-literal text: the driver quotes it (a channel may be `NULL`).
    params.push(concrete);
    terms.push(`channel = ANY($${firstParam + params.length - 1}::text[])`);
  }
  if (wild.length > 0) {
    params.push(`^(?:${wild.map((p) => patternRegex(p).slice(1, -1)).join('|')})$`);
    terms.push(`channel ~ $${firstParam + params.length - 1}`);
  }
  return { sql: terms.length === 0 ? 'false' : `(${terms.join(' OR ')})`, params };
}

/**
 * Which SQLite failures mean "the store cannot answer now" (503, /readyz) rather than a bad
 * statement, and how to say why.
 */

/**
 * Primary result codes that mean the file cannot serve right now (locked, full, unreadable,
 * damaged), as opposed to a bad statement or argument. Extended codes (`SQLITE_IOERR_WRITE`,
 * `SQLITE_BUSY_SNAPSHOT`) count as their primary code.
 */
const UNAVAILABLE_CODES: ReadonlySet<string> = new Set([
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
  'SQLITE_FULL',
  'SQLITE_IOERR',
  'SQLITE_CANTOPEN',
  'SQLITE_READONLY',
  'SQLITE_CORRUPT',
  'SQLITE_NOTADB',
  'SQLITE_NOMEM',
  'SQLITE_PROTOCOL',
  'SQLITE_PERM',
  'SQLITE_NOLFS',
]);

export function isSqliteUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  return UNAVAILABLE_CODES.has(code.split('_', 2).join('_'));
}

/** SQLite's own words plus its code (SQLITE_BUSY, SQLITE_FULL, ...), which operators search. */
export function describeSqliteError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && !err.message.includes(code)
    ? `${err.message} (${code})`
    : err.message;
}

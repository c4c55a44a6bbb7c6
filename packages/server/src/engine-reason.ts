/**
 * Why an engine cannot answer, as `/readyz` says it: a few stable codes instead of a driver's
 * words, which may hold file paths, host names or SQL. The details go to the node's log.
 */

/** The reason codes of `/readyz`, one per kind of outage an operator acts on differently. */
export const ENGINE_REASONS = [
  'unreachable', // the server or socket is not there, refused, reset or shutting down
  'timeout', // it did not answer in time
  'disk_full',
  'read_only', // the file or database takes no writes
  'locked', // another writer holds the lock, or a deadlock
  'error', // anything else: corruption, authentication, I/O, a closed engine
] as const;
export type EngineReason = (typeof ENGINE_REASONS)[number];

/** SQLite primary result codes (extended ones such as SQLITE_BUSY_SNAPSHOT count as these). */
const SQLITE: Readonly<Record<string, EngineReason>> = {
  SQLITE_BUSY: 'locked',
  SQLITE_LOCKED: 'locked',
  SQLITE_FULL: 'disk_full',
  SQLITE_READONLY: 'read_only',
};

/** Socket errors (node's `code`), as PostgreSQL's pool or any network engine reports them. */
const SOCKET: Readonly<Record<string, EngineReason>> = {
  ETIMEDOUT: 'timeout',
  ECONNREFUSED: 'unreachable',
  ECONNRESET: 'unreachable',
  ECONNABORTED: 'unreachable',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  ENOTFOUND: 'unreachable',
  EAI_AGAIN: 'unreachable',
  EPIPE: 'unreachable',
  ENOENT: 'unreachable', // a unix socket that is not there
};

/** PostgreSQL SQLSTATEs; class 08 (connection exception) is `unreachable` as a whole. */
const SQLSTATE: Readonly<Record<string, EngineReason>> = {
  '57P01': 'unreachable', // admin shutdown
  '57P02': 'unreachable', // crash shutdown
  '57P03': 'unreachable', // cannot connect now (starting up, recovering)
  '57014': 'timeout', // statement timeout
  '53100': 'disk_full',
  '25006': 'read_only', // a read-only transaction: a standby after a failover
  '55P03': 'locked',
  '40001': 'locked', // serialization failure
  '40P01': 'locked', // deadlock
};

/** The reason for a driver error, from its code, or from pg's own words when it has none. */
export function engineReasonOf(cause: unknown): EngineReason {
  if (!(cause instanceof Error)) return 'error';
  const code = (cause as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (code.startsWith('SQLITE_')) return SQLITE[code.split('_', 2).join('_')] ?? 'error';
    const socket = SOCKET[code];
    if (socket !== undefined) return socket;
    if (/^[0-9A-Z]{5}$/.test(code))
      return SQLSTATE[code] ?? (code.startsWith('08') ? 'unreachable' : 'error');
    return 'error';
  }
  // pg's client errors: "timeout exceeded when trying to connect", "Query read timeout",
  // "Connection terminated unexpectedly", "... is not queryable".
  if (/timeout/i.test(cause.message)) return 'timeout';
  if (/^Connection terminated|is not queryable/.test(cause.message)) return 'unreachable';
  return 'error';
}

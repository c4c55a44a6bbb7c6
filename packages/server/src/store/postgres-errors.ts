/**
 * Which PostgreSQL failures mean "the store cannot answer now" (503, /readyz) rather than a bad
 * statement, and how to say why without echoing the connection string.
 */

/** Socket errors of a server that is down, unreachable or gone mid-call. */
const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ENOENT', // a unix socket that is not there
]);

/**
 * SQLSTATE classes (first two characters) and codes that mean "cannot answer now", as opposed
 * to a bad statement: connection (08), authentication (28), missing database (3D), resources
 * such as a full disk or too many connections (53), shutdown or statement timeout (57), I/O
 * (58), a lock wait timeout (55P03) and a serialization failure or deadlock (40001, 40P01).
 */
const UNAVAILABLE_CLASSES: ReadonlySet<string> = new Set(['08', '28', '3D', '53', '57', '58']);
const UNAVAILABLE_STATES: ReadonlySet<string> = new Set(['55P03', '40001', '40P01']);

/** `pg`'s own errors carry no code, only these words. */
const DRIVER_MESSAGES = [
  /^Connection terminated/,
  /timeout exceeded when trying to connect/,
  /^Query read timeout/,
  /is not queryable/,
];

export function isPostgresUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code)) return true;
    if (/^[0-9A-Z]{5}$/.test(code)) {
      return UNAVAILABLE_CLASSES.has(code.slice(0, 2)) || UNAVAILABLE_STATES.has(code);
    }
  }
  return DRIVER_MESSAGES.some((pattern) => pattern.test(err.message));
}

/**
 * The server's or the socket's words plus the code operators search for. Node's connection
 * errors to several addresses come as an AggregateError with an empty message: its code says it.
 */
export function describePostgresError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as { code?: unknown }).code;
  const message =
    err.message === '' && err instanceof AggregateError
      ? err.errors.map((e) => (e instanceof Error ? e.message : String(e))).join('; ')
      : err.message;
  if (typeof code !== 'string') return message || 'unknown error';
  if (message === '') return code;
  return message.includes(code) ? message : `${message} (${code})`;
}

/** Error codes of docs/protocol.md §4, the only values an `error` reply's `code` may take. */
export const ERROR_CODES = [
  'bad_request',
  'unauthorized',
  'forbidden',
  'not_found',
  'rate_limited',
  'limit_exceeded',
  'too_large',
  'conflict',
  'unavailable',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

/** HTTP status per error code (docs/protocol.md §8); the one mapper server and SDK share. */
export const HTTP_STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  rate_limited: 429,
  limit_exceeded: 429,
  too_large: 413,
  conflict: 409,
  unavailable: 503,
  internal: 500,
};

/** What a client does after a close code (docs/protocol.md §7). */
export type CloseAction =
  | 'reconnect' // plain backoff
  | 'reconnect_after_delay' // wait for the server's `reconnect` delay
  | 'resume' // reconnect at once-ish and resume from the cursor
  | 'reconnect_slow' // rate or connection limit: longer backoff
  | 'refresh_token' // fetch a new token, then reconnect
  | 'stop'; // do not reconnect, report

/** Close codes of docs/protocol.md §7 with the client action each implies, defined once. */
export const CLOSE_CODES = {
  normal: { code: 1000, action: 'reconnect' },
  goingAway: { code: 1001, action: 'reconnect' },
  shutdown: { code: 4000, action: 'reconnect_after_delay' },
  slowConsumer: { code: 4001, action: 'resume' },
  heartbeatTimeout: { code: 4002, action: 'resume' },
  limit: { code: 4003, action: 'reconnect_slow' },
  protocolViolation: { code: 4500, action: 'stop' },
  unauthorized: { code: 4501, action: 'refresh_token' },
  forbidden: { code: 4502, action: 'stop' },
  tooLarge: { code: 4503, action: 'stop' },
} as const satisfies Record<string, { code: number; action: CloseAction }>;

export type CloseCodeName = keyof typeof CLOSE_CODES;

const ACTION_BY_CODE = new Map<number, CloseAction>(
  Object.values(CLOSE_CODES).map((c) => [c.code, c.action]),
);

/**
 * The client's action for any close code. Codes outside the table (1006 abnormal closure,
 * 1011 server error, ...) are network trouble: reconnect with backoff.
 */
export function closeActionFor(code: number): CloseAction {
  return ACTION_BY_CODE.get(code) ?? 'reconnect';
}

/** Subprotocol names of docs/protocol.md §3. */
export const SUBPROTOCOL_JSON = 'hubcast.v1.json';
export const SUBPROTOCOL_PROTOBUF = 'hubcast.v1.protobuf';

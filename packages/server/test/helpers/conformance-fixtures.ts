/**
 * Expected frames and short sequences that several conformance files share: the exact `error`,
 * `event` and `connected` frames of PROTOCOL.md §4-§5, a refused handshake, and reading a
 * connection's events up to a marker event.
 */
import type { ErrorCode, ServerMessage } from '@hubcast/protocol';
import type { TestNode } from './test-node.js';
import { anyNumber, anyString, anyTs, openClient, type TestClient } from './ws-client.js';

/** What a connection received up to its close, and the close code. */
export interface ClosedWith {
  messages: ServerMessage[];
  code: number;
}

/** The `error` reply (§4) to the command with `id`, with any `message`. */
export function errorReply(id: number, code: ErrorCode): Record<string, unknown> {
  return { type: 'error', id, code, message: anyString };
}

/** An `error` without `id`: the answer to a line whose id could not be read (§4). */
export function errorWithoutId(code: ErrorCode): Record<string, unknown> {
  return { type: 'error', code, message: anyString };
}

/**
 * The `event` push (§5) of the event `pub` (a `published` reply or an HTTP publish body) on
 * `channel` carrying `data`, with `from` only when given (a client publish).
 */
export function eventPush(
  channel: string,
  data: unknown,
  // A `published` reply of either kind: a logged one always has its cursor.
  pub: { event_id: string; cursor?: string | undefined },
  from?: string,
): Record<string, unknown> {
  return {
    type: 'event',
    channel,
    event_id: pub.event_id,
    cursor: pub.cursor,
    ts: anyTs,
    data,
    ...(from === undefined ? {} : { from }),
  };
}

/**
 * The `connected` reply (§4) to a connect with id 1 as alice@acme, with every field: any
 * session, cursor, expires_at and ping_interval, no subscriptions and nothing rejected unless
 * `fields` says otherwise (`fields` may add `resumed`).
 */
export function connectedReply(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'connected',
    id: 1,
    session: anyString,
    user: 'alice',
    org: 'acme',
    expires_at: anyNumber,
    ping_interval: anyNumber,
    cursor: anyString,
    subscriptions: [],
    rejected: [],
    ...fields,
  };
}

/**
 * Opens a raw connection, sends `connect` with id 1 and `fields` (e.g. `{ token }`), and waits
 * for the server to close it: every message received, with the close code.
 */
export async function connectUntilClosed(
  node: TestNode,
  fields: Record<string, unknown>,
): Promise<ClosedWith> {
  const c = await openClient(node.wsUrl);
  c.send({ type: 'connect', id: 1, ...fields });
  const { code } = await c.waitClosed();
  return { messages: c.messages, code };
}

/** What a refused connect (id 1) gets (§3): exactly one `error` with `code`, then the close. */
export function refusedConnect(code: ErrorCode, closeCode: number): Record<string, unknown> {
  return { messages: [errorReply(1, code)], code: closeCode };
}

/** Takes every message up to and including the next event on `markerChannel`. */
export async function untilEventOn(c: TestClient, markerChannel: string): Promise<ServerMessage[]> {
  const { before, match } = await c.takeUntil(
    (m) => m.type === 'event' && m.channel === markerChannel,
  );
  return [...before, match];
}

/** `untilEventOn` as channel names (`<type>` for a message that is not an event). */
export async function channelsUntil(c: TestClient, markerChannel: string): Promise<string[]> {
  return (await untilEventOn(c, markerChannel)).map((m) =>
    m.type === 'event' ? m.channel : `<${m.type}>`,
  );
}

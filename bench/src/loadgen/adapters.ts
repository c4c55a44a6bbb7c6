/**
 * What each target speaks after the WebSocket upgrade, as the generator needs it: where to
 * connect, how to join, when the connection counts as ready, how to answer heartbeats, and how
 * a client publishes (the `rooms` chat). Events are found by the stamp scan whatever wraps them.
 */
import type { TargetName } from '../results.js';
import type { Conn } from './client-conn.js';

export interface Adapter {
  /** The request path of the upgrade. */
  path(conn: Conn): string;
  /** Called after the 101. */
  opened(conn: Conn): void;
  /** Called per text message, decoded as latin1 (the markers and stamps are ASCII). */
  text(conn: Conn, payload: string): void;
  /** Sends one message to `channel` from this client; `dataJson` is the event's data. */
  publish(conn: Conn, channel: string, dataJson: string): void;
}

/**
 * Hubcast (PROTOCOL.md §3–5): `connect` with token and subscriptions; `\n`-batched frames. A
 * `storm` client (one with a `resume` state) also sends the cursor of the last event it
 * processed, and keeps `resumed`, the newest cursor and a `reconnect` push's `delay_ms`.
 */
const hubcast: Adapter = {
  path: () => '/ws',
  opened(conn) {
    conn.markJoining();
    const cursor = conn.resume?.cursor;
    conn.sendText(
      JSON.stringify({
        type: 'connect',
        token: conn.token,
        subscriptions: conn.channels,
        ...(cursor === undefined ? {} : { cursor }),
      }),
    );
  },
  text(conn, payload) {
    const resume = conn.resume;
    if (conn.state === 'joining') {
      if (payload.indexOf(CONNECTED) >= 0) {
        if (payload.indexOf(NONE_REJECTED) >= 0) {
          if (resume !== undefined) resume.resumed = readResumed(payload);
          conn.markReady();
        } else conn.fail(`subscription refused: ${payload.slice(0, 200)}`);
      } else if (payload.indexOf(ERROR) >= 0) {
        conn.fail(`connect refused: ${payload.slice(0, 200)}`);
        return;
      }
    }
    // A ping may share a frame with events: answer it and still read the rest. The needle is
    // the ping's tail: a rare first letter makes the search over a batch of events cheap.
    if (payload.indexOf(PING_TAIL) >= 0) conn.sendText(PONG);
    // Only a connection that published can be refused something (a `published` is not news).
    if (conn.published > 0 && conn.state === 'ready') {
      const at = payload.indexOf(ERROR);
      if (at >= 0) conn.refused(payload.slice(Math.max(0, at - 1), at + 200));
    }
    if (resume !== undefined) {
      const cursor = lastCursor(payload);
      if (cursor !== undefined) resume.cursor = cursor;
      const delayMs = reconnectDelay(payload);
      if (delayMs !== undefined) resume.serverDelayMs = delayMs;
    }
    // A `chat.send` result carries the message, stamp included: it is an answer, not a delivery.
    conn.scan(conn.published > 0 ? withoutResults(payload) : payload);
  },
  // PROTOCOL.md §4 `publish`, without `id`: the `published` reply is not waited for, and the
  // sender's own connections receive the event too (no `echo: false`), as on the peers. A chat
  // room's channel takes no publish (docs/chat.md §2): a member sends with the `chat.send` rpc,
  // empty text and the stamp as `data`, and every member connection gets a `chat.message` event.
  publish(conn, channel, dataJson) {
    if (channel.startsWith(CHAT_PREFIX))
      conn.sendText(
        `{"type":"rpc","method":"chat.send","params":{"room":${JSON.stringify(channel.slice(CHAT_PREFIX.length))},"text":"","data":${dataJson}}}`,
      );
    else
      conn.sendText(`{"type":"publish","channel":${JSON.stringify(channel)},"data":${dataJson}}`);
  },
};

const CHAT_PREFIX = 'chat.';
const RESULT = '{"type":"result"';

const CONNECTED = '"type":"connected"';
const NONE_REJECTED = '"rejected":[]';
const ERROR = '"type":"error"';
/** The end of `{"type":"ping"}`; bench payloads are digits and `x` padding, never this. */
const PING_TAIL = 'ping"}';
const PONG = '{"type":"pong"}';
const RESUMED_TRUE = '"resumed":true';
const RESUMED_FALSE = '"resumed":false';
const CURSOR = '"cursor":"';
const RECONNECT = '"type":"reconnect"';
const DELAY_MS = '"delay_ms":';
const QUOTE = '"';

/** `resumed` of a `connected` reply in this frame; undefined when absent (no cursor was sent). */
function readResumed(payload: string): boolean | undefined {
  if (payload.indexOf(RESUMED_TRUE) >= 0) return true;
  return payload.indexOf(RESUMED_FALSE) >= 0 ? false : undefined;
}

/**
 * The last `cursor` of a frame: the client's position once it has processed the frame. Replayed
 * events come before `connected`, whose cursor is the head its subscriptions went live from,
 * and live events after it (PROTOCOL.md §4), so the last one is right whatever the frame holds.
 * One `lastIndexOf` from the end, where the newest event is, and one short slice per frame.
 */
function lastCursor(payload: string): string | undefined {
  const at = payload.lastIndexOf(CURSOR);
  if (at < 0) return undefined;
  const start = at + CURSOR.length;
  const end = payload.indexOf(QUOTE, start);
  return end < 0 ? undefined : payload.slice(start, end);
}

/**
 * `payload` without its `result` messages (a frame is `\n`-joined JSON, PROTOCOL.md §3, and no
 * message holds a raw newline). One `indexOf` when there is none, as in every receiver's frame.
 */
export function withoutResults(payload: string): string {
  let at = payload.indexOf(RESULT);
  if (at < 0) return payload;
  let out = '';
  let from = 0;
  while (at >= 0) {
    out += payload.slice(from, at);
    const end = payload.indexOf('\n', at);
    if (end < 0) return out;
    from = end + 1;
    at = payload.indexOf(RESULT, from);
  }
  return out + payload.slice(from);
}

/** `delay_ms` of a `reconnect` push in this frame, if there is one. */
function reconnectDelay(payload: string): number | undefined {
  const at = payload.indexOf(RECONNECT);
  if (at < 0) return undefined;
  const key = payload.indexOf(DELAY_MS, at);
  if (key < 0) return undefined;
  let n = 0;
  let i = key + DELAY_MS.length;
  for (let c = payload.charCodeAt(i); c >= 48 && c <= 57; c = payload.charCodeAt(++i))
    n = n * 10 + c - 48;
  return n;
}

/**
 * The plain `ws` hub: rooms in the query string, ready at the 101, one event per frame. A
 * client publishes `{channel, data}`; the hub sends it to every member of the room.
 */
const ws: Adapter = {
  path: (conn) => `/?${conn.channels.map((c) => `room=${encodeURIComponent(c)}`).join('&')}`,
  opened: (conn) => conn.markReady(),
  text: (conn, payload) => conn.scan(payload),
  publish(conn, channel, dataJson) {
    conn.sendText(`{"channel":${JSON.stringify(channel)},"data":${dataJson}}`);
  },
};

// engine.io v4 packet types (first character) and socket.io packet types (second).
// Read with charCodeAt: NaN past the end matches none of them.
const EIO_OPEN = 0x30; // '0'
const EIO_CLOSE = 0x31; // '1'
const EIO_PING = 0x32; // '2'
const EIO_MESSAGE = 0x34; // '4'
const SIO_CONNECT = 0x30; // '40'
const SIO_EVENT = 0x32; // '42'
const SIO_ACK = 0x33; // '43'
const SIO_CONNECT_ERROR = 0x34; // '44'

/**
 * Socket.IO 4 over a bare WebSocket: engine.io open `0{…}` → `40` → `40{"sid"}` → join with
 * ack id 1 (`421["join",[rooms]]`) → `431[]` means joined. Server ping `2`, client pong `3`.
 * A client publishes with `42["publish",room,data]`, which the server emits to the room.
 */
const socketio: Adapter = {
  path: () => '/socket.io/?EIO=4&transport=websocket',
  opened: (conn) => conn.markJoining(),
  text(conn, payload) {
    const eio = payload.charCodeAt(0);
    if (eio === EIO_MESSAGE) {
      const sio = payload.charCodeAt(1);
      if (sio === SIO_EVENT) conn.scan(payload);
      else if (sio === SIO_CONNECT) conn.sendText(`421${JSON.stringify(['join', conn.channels])}`);
      else if (sio === SIO_ACK) conn.markReady();
      else if (sio === SIO_CONNECT_ERROR) conn.fail(`socket.io refused: ${payload.slice(0, 200)}`);
    } else if (eio === EIO_PING && payload.length === 1) {
      conn.sendText('3');
    } else if (eio === EIO_OPEN) {
      conn.sendText('40');
    } else if (eio === EIO_CLOSE) {
      conn.fail('socket.io closed the session');
    }
  },
  publish(conn, channel, dataJson) {
    conn.sendText(`42["publish",${JSON.stringify(channel)},${dataJson}]`);
  },
};

export const ADAPTERS: Record<TargetName, Adapter> = { hubcast, ws, socketio };

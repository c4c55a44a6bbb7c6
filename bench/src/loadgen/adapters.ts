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
  /** Called per text message. */
  text(conn: Conn, payload: Buffer): void;
  /** Sends one message to `channel` from this client; `dataJson` is the event's data. */
  publish(conn: Conn, channel: string, dataJson: string): void;
}

/** Hubcast (PROTOCOL.md §3–5): `connect` with token and subscriptions; `\n`-batched frames. */
const hubcast: Adapter = {
  path: () => '/ws',
  opened(conn) {
    conn.markJoining();
    conn.sendText(
      JSON.stringify({ type: 'connect', token: conn.token, subscriptions: conn.channels }),
    );
  },
  text(conn, payload) {
    if (conn.state === 'joining') {
      if (payload.indexOf(CONNECTED) >= 0) {
        if (payload.indexOf(NONE_REJECTED) >= 0) conn.markReady();
        else conn.fail(`subscription refused: ${payload.toString('utf8', 0, 200)}`);
      } else if (payload.indexOf(ERROR) >= 0) {
        conn.fail(`connect refused: ${payload.toString('utf8', 0, 200)}`);
        return;
      }
    }
    // A ping may share a frame with events: answer it and still read the rest.
    if (payload.indexOf(PING) >= 0) conn.sendText(PONG);
    // Only a connection that published can be refused something (a `published` is not news).
    if (conn.published > 0 && conn.state === 'ready') {
      const at = payload.indexOf(ERROR);
      if (at >= 0) conn.refused(payload.toString('utf8', Math.max(0, at - 1), at + 200));
    }
    conn.scan(payload);
  },
  // PROTOCOL.md §4 `publish`, without `id`: the `published` reply is not waited for, and the
  // sender's own connections receive the event too (no `echo: false`), as on the peers.
  publish(conn, channel, dataJson) {
    conn.sendText(`{"type":"publish","channel":${JSON.stringify(channel)},"data":${dataJson}}`);
  },
};

const CONNECTED = Buffer.from('"type":"connected"');
const NONE_REJECTED = Buffer.from('"rejected":[]');
const ERROR = Buffer.from('"type":"error"');
const PING = Buffer.from('{"type":"ping"}');
const PONG = '{"type":"pong"}';

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
    const eio = payload[0];
    if (eio === EIO_MESSAGE) {
      const sio = payload[1];
      if (sio === SIO_EVENT) conn.scan(payload);
      else if (sio === SIO_CONNECT) conn.sendText(`421${JSON.stringify(['join', conn.channels])}`);
      else if (sio === SIO_ACK) conn.markReady();
      else if (sio === SIO_CONNECT_ERROR)
        conn.fail(`socket.io refused: ${payload.toString('utf8', 0, 200)}`);
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

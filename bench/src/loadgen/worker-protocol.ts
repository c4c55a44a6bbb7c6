/** Messages between the generator's main thread and its connection workers. */
import type { TargetName } from '../results.js';
import type { Backoff } from './reconnect-delay.js';
import type { RoomsShape, RoomsVia } from './rooms.js';

export interface ConnectSpec {
  target: TargetName;
  host: string;
  port: number;
  /**
   * The address this worker's sockets connect from (any 127.x.y.z is local on Linux): one
   * source address has only the ephemeral port range (28,232 ports here) towards one target
   * port, so past that a second generator process takes another (`workers`). Default: the
   * kernel's choice.
   */
  localAddress?: string;
  /**
   * With `localAddress`: the source port of this worker's first connection, the next ones
   * counting up. Naming the port keeps a bind cheap: a bind to port 0 makes the kernel search
   * for a free one, past every port in use, which cost 0.5 ms of system CPU per connection at
   * 9,000 (an explicit port: 0.05 ms).
   */
  localPortFrom?: number;
  /**
   * Global index of this worker's first connection; hubcast users are `u<index>` (with
   * `rooms`, `u<⌊index / devices⌋>`).
   */
  firstIndex: number;
  count: number;
  /** Handshakes in flight at once in this worker. */
  maxInFlight: number;
  handshakeTimeoutMs: number;
  channels: string[];
  /** Connections whose global index is a multiple of `slowEvery` (0: none) also join `slowChannels`. */
  slowEvery: number;
  slowChannels: string[];
  /** Hubcast: HS256 secret and tenant of the tokens. */
  jwtSecret?: string;
  org?: string;
  /**
   * The `rooms` scenario: each connection joins its user's rooms (not `channels`), hubcast
   * tokens are per user with publish grants for them, and sequence numbers are per room.
   */
  rooms?: RoomsShape;
  /** With `rooms`: raw publishes (default), or hubcast's chat service (`chat.r<n>`, `chat.send`). */
  roomsVia?: RoomsVia;
}

/** The `rooms` scenario's messages: `total` of them, one every `1000 / ratePerSec` ms. */
export interface RoomsPlan {
  /** When message 1 is due (epoch ms, the clock every thread shares). */
  startAtMs: number;
  ratePerSec: number;
  total: number;
}

/** `storm`: this worker's share of the reconnecting clients (users `u<index>`, one channel). */
export type StormSpec = Pick<
  ConnectSpec,
  | 'target'
  | 'host'
  | 'port'
  | 'firstIndex'
  | 'count'
  | 'maxInFlight'
  | 'handshakeTimeoutMs'
  | 'channels'
  | 'jwtSecret'
  | 'org'
> & { backoff: Backoff };

export type WorkerRequest =
  | { type: 'connect'; id: number; spec: ConnectSpec }
  /** Opens a measurement window: samples and counters start from zero. */
  | { type: 'begin'; id: number }
  /** Closes the window once every connection has every event up to `lastSeq`, or after `waitMs`. */
  | { type: 'end'; id: number; lastSeq: number; waitMs: number }
  /** The slow connections stop reading and leave the accounting (M8). */
  | { type: 'pause'; id: number }
  /** Each worker sends the plan's messages whose sender it holds, over their WebSockets. */
  | { type: 'publishRooms'; id: number; plan: RoomsPlan }
  /** `storm`: connects reconnecting clients; answered with a `connected` ramp reply. */
  | { type: 'stormConnect'; id: number; spec: StormSpec }
  /** `storm`: answers once every client has dropped and is live again, or after `waitMs`. */
  | { type: 'stormRecovery'; id: number; waitMs: number }
  /**
   * `storm`: waits until every live client has every event from `fromSeq` to `lastSeq` (or
   * `waitMs`), then closes the books up to `lastSeq`.
   */
  | { type: 'stormEnd'; id: number; fromSeq: number; lastSeq: number; waitMs: number }
  | { type: 'disconnect'; id: number };

export interface RampReply {
  type: 'connected';
  id: number;
  ready: number;
  failed: number;
  /** A few distinct failure reasons. */
  errors: string[];
  startedMs: number;
  lastReadyMs: number;
}

export interface WindowReply {
  type: 'ended';
  id: number;
  deliveries: number;
  lost: number;
  duplicated: number;
  /** Receive time of the last delivery in the window (epoch ms), 0 when none. */
  lastRecvMs: number;
  /** Latencies in ms (a uniform sample when there were more than the cap). */
  samples: Float64Array;
  /** Connections expected to receive (ready, not excluded). */
  active: number;
  /** Close codes of connections the targets closed during the window. */
  closes: Record<string, number>;
  /** `rooms`: events for a room the receiving connection is not in (must be 0). */
  stray: number;
  /** `rooms`: publishes the target refused with an error reply (must be 0). */
  refused: number;
  /** A few of the refusals' texts. */
  refusals: string[];
}

export interface RoomsPublishedReply {
  type: 'roomsPublished';
  id: number;
  /** Messages written to their sender's socket. */
  sent: number;
  /** Messages whose sender connection was not open (their receivers count them lost). */
  unsent: number;
  /** The latest any message went out after it was due, ms (a busy generator lags). */
  maxLagMs: number;
}

export interface StormRecoveryReply {
  type: 'stormRecovered';
  id: number;
  clients: number;
  /** Clients that dropped and are live again. */
  back: number;
  /** When the first client dropped and when the last one went live again (`nowMs`; 0: none). */
  firstDropMs: number;
  lastLiveMs: number;
  /** Per client back: from its first drop to going live again, ms. */
  reconnectMs: Float64Array;
  /** Reconnects whose resume was refused (hubcast `resumed: false`). */
  resets: number;
  /** Attempts that failed before going live, and a few of their reasons. */
  failedAttempts: number;
  failures: string[];
  /** Drops in all (one per client is the restart; more means a reconnect was lost again). */
  drops: number;
  /** Close codes of the drops. */
  closes: Record<string, number>;
}

export interface StormEndReply {
  type: 'stormEnded';
  id: number;
  /** Clients counted, and how many of them were live at the end. */
  clients: number;
  live: number;
  /** Distinct events received up to `lastSeq`, over all clients. */
  deliveries: number;
  /** Events up to `lastSeq` a client never received, and events it received again. */
  lost: number;
  duplicated: number;
  clientsWithLoss: number;
  maxLostPerClient: number;
  clientsWithDuplicates: number;
}

export type WorkerReply =
  | RampReply
  | StormRecoveryReply
  | StormEndReply
  | WindowReply
  | RoomsPublishedReply
  | { type: 'progress'; ready: number; failed: number }
  | { type: 'begun'; id: number }
  | { type: 'paused'; id: number; count: number }
  | { type: 'disconnected'; id: number }
  | { type: 'error'; id: number; message: string };

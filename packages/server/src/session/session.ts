/**
 * One WebSocket connection: its state machine, identity and grants, heartbeat fields,
 * subscriptions and close. Frames in and the command chain are in inbound.ts, frames out (the
 * send queue and fan-out delivery) in outbound.ts, the protocol's commands in commands.ts.
 */
import type { Duplex } from 'node:stream';
import type { RawData, WebSocket } from 'ws';
import type { JsonValue } from '@hubcast/protocol';
import { canTransition, type SessionState, type StateChange } from './session-state.js';
import type { NodeContext } from './context.js';
import { receiveFrame } from './inbound.js';
import { SessionOutbound } from './outbound.js';

export interface Subscription {
  readonly session: Session;
  readonly pattern: string;
  /**
   * The chat room the pattern names (`chat.<room>` and below, docs/chat.md), whose membership
   * was checked before the subscription went live; undefined for any other pattern. Only a
   * subscription with a room receives that room's events (auth/grants.ts `canReceive`).
   */
  readonly room: string | undefined;
  presence: boolean;
  /** Live events with seq at or below this were before the subscription went live. */
  fromSeq: number;
}

export class Session extends SessionOutbound {
  readonly id: string;
  state: SessionState = 'awaiting_auth';
  user = '';
  org = '';
  subscribeGrants: readonly string[] = [];
  publishGrants: readonly string[] = [];
  info: JsonValue | undefined;
  /** When `info` was set: connect, or the last `presence.setInfo` (services/presence-info.ts). */
  infoAtMs = 0;
  /** `info` came from `presence.setInfo`, so a `refresh` keeps it. */
  infoSetByClient = false;
  device: string | undefined;
  expiresAt = 0;
  readonly subscriptions = new Map<string, Subscription>();
  /**
   * Scratch of the fan-out of a run (`FanOut.run` in fanout/fan-out.ts, its only user): the run
   * it was last matched by, and the lowest `fromSeq` of its subscriptions that matched.
   */
  runTag = 0;
  runFromSeq = 0;
  /** Ping bookkeeping for the node's single heartbeat ticker. */
  lastPingMs: number;
  awaitingPongSinceMs = 0;

  /** Cuts a closed slow consumer's socket if it does not read its close frame in time. */
  private killTimer: NodeJS.Timeout | undefined;
  // The inbound side's state (inbound.ts), kept on the session: no object per socket.
  /** @internal Bytes of frames that arrived while commands were pending, not run yet. */
  inboundBytes = 0;
  /** @internal */
  inboundPaused = false;
  /** @internal Commands run in order on this chain; the shared RESOLVED when idle. */
  chain: Promise<void> = RESOLVED;
  /** @internal */
  pendingTasks = 0;
  /** @internal */
  badInRow = 0;
  /** @internal */
  malformedInRow = 0;
  /** @internal */
  refusedInRow = 0;
  /** @internal */
  connectSeen = false;
  /** @internal Token bucket state (limits/token-bucket.ts), kept on the session: no object per socket. */
  rateTokens: number;
  /** @internal */
  rateRefilledMs: number;
  /** Until when `connect` may arrive; the node's ticker enforces it (no timer per socket). */
  readonly authDeadlineMs: number;
  private stateListeners: ((change: StateChange) => void)[] | undefined;

  constructor(ws: WebSocket, socket: Duplex, ctx: NodeContext) {
    super(ws, socket, ctx);
    const now = Date.now();
    this.lastPingMs = now;
    this.id = ctx.newSessionId();
    this.rateTokens = ctx.config.rateBurst;
    this.rateRefilledMs = now;
    this.authDeadlineMs = now + ctx.config.authTimeout * 1000;
    // Shared listeners find their session through the socket: no closures per connection.
    (ws as SessionSocket)[kSession] = this;
    ws.on('message', onSocketMessage);
    ws.on('close', onSocketClose);
    ws.on('error', onSocketError);
  }

  /** Re-reads state after calls that may close the session (TS narrows the field otherwise). */
  isClosed(): boolean {
    return this.state === 'closed';
  }

  onStateChange(listener: (change: StateChange) => void): void {
    (this.stateListeners ??= []).push(listener);
  }

  transition(to: SessionState, reason: string): boolean {
    const from = this.state;
    if (!canTransition(from, to)) return false;
    this.state = to;
    if (this.stateListeners !== undefined)
      for (const l of this.stateListeners) l({ from, to, reason });
    return true;
  }

  protected scheduleFlush(): void {
    this.ctx.scheduleFlush(this);
  }

  // ---- close ----

  /**
   * Closes with a code from PROTOCOL.md §7. Queued replies go first (an `error` before its
   * close); a slow consumer's queue is dropped and its socket cut if it will not read.
   */
  close(code: number, reason: string, dropQueue = false): void {
    if (this.state === 'closed') return;
    if (!dropQueue) this.flush();
    try {
      this.ws.close(code, truncateReason(reason));
    } catch {
      this.ws.terminate();
    }
    // The socket goes once its peer had time to read the close frame (ws waits 30 s for the
    // peer's answer): a second for a peer that never authenticated (--auth-timeout plus a
    // second in all), --pong-timeout for one that did. A slow consumer's queue is gone, so its
    // memory stays bounded by what the socket already holds while it may still learn why.
    const graceMs = this.state === 'awaiting_auth' ? 1000 : this.ctx.config.pongTimeout * 1000;
    this.killTimer = setTimeout(() => this.ws.terminate(), graceMs);
    this.killTimer.unref();
    // A reader held back for its backlog must be read again, or the close handshake cannot end.
    if (this.inboundPaused) {
      this.inboundPaused = false;
      this.ws.resume();
    }
    this.ctx.metrics.countClose(code);
    this.closed(reason);
  }

  /** @internal The socket's close handshake is over (whoever started it). */
  socketClosed(): void {
    clearTimeout(this.killTimer);
    this.closed('socket closed');
    this.ctx.socketClosed(this.ws);
  }

  private closed(reason: string): void {
    if (this.state === 'closed') return;
    const wasAuthenticated = this.state !== 'awaiting_auth';
    this.transition('closed', reason);
    if (wasAuthenticated || this.org !== '') {
      for (const sub of this.subscriptions.values()) this.dropSubscription(sub);
      this.subscriptions.clear();
    }
    this.ctx.sessionClosed(this);
  }

  /** Removes a subscription from the hub and presence (not from `subscriptions`). */
  dropSubscription(sub: Subscription): void {
    this.ctx.hub.delete(this.org, sub.pattern, sub);
    if (sub.presence) this.ctx.hub.unwatch(this.org, sub.pattern, sub);
    if (!sub.pattern.includes('*') && !sub.pattern.includes('>'))
      this.ctx.presenceLeave(this, sub.pattern);
  }
}

const RESOLVED: Promise<void> = Promise.resolve();

const kSession = Symbol('hubcast.session');
type SessionSocket = WebSocket & { [kSession]?: Session };

function onSocketMessage(this: SessionSocket, data: RawData, isBinary: boolean): void {
  const session = this[kSession];
  if (session !== undefined) receiveFrame(session, data as Buffer, isBinary);
}

function onSocketClose(this: SessionSocket): void {
  this[kSession]?.socketClosed();
}

function onSocketError(this: SessionSocket, err: Error): void {
  const session = this[kSession];
  session?.ctx.logger.debug({ err, session: session.id }, 'socket error');
}

/** Close reasons are at most 123 bytes (RFC 6455 §5.5). */
export function truncateReason(reason: string): string {
  const buf = Buffer.from(reason, 'utf8');
  if (buf.length <= 123) return reason;
  let end = 123;
  // Do not cut a UTF-8 sequence in half.
  while (end > 0 && ((buf[end] as number) & 0xc0) === 0x80) end--;
  return buf.subarray(0, end).toString('utf8');
}

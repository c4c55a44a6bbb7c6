/**
 * One ticker per node for every per-connection deadline (ARCHITECTURE.md: no timer per
 * connection): the auth timeout (4500), token expiry (4501), and the heartbeat, pinging live
 * sessions every `ping_interval` and closing those whose pong is overdue (4002).
 */
import { CLOSE_CODES } from '@hubcast/protocol';
import type { Session } from './session.js';

/** The server's `ping` (PROTOCOL.md §3), encoded once. */
export const PING_MESSAGE = Buffer.from('{"type":"ping"}');

export class SessionTicker {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sessions: ReadonlySet<Session>,
    private readonly pingIntervalMs: number,
    private readonly pongTimeoutMs: number,
    private readonly authTimeoutMs: number,
    /** A token is accepted until `exp` plus this, so its connection lives as long (§9). */
    private readonly clockToleranceSeconds: number,
  ) {}

  start(): void {
    // A quarter of the shortest deadline, so each fires at most 25% late (and within 1 s).
    const shortest = Math.min(this.pingIntervalMs, this.pongTimeoutMs, this.authTimeoutMs);
    const tickMs = Math.max(20, Math.min(1000, shortest / 4));
    this.timer = setInterval(() => this.tick(Date.now()), tickMs);
    this.timer.unref();
  }

  tick(nowMs: number): void {
    const nowSeconds = nowMs / 1000;
    for (const s of this.sessions) {
      if (s.state === 'awaiting_auth') {
        if (nowMs >= s.authDeadlineMs) s.close(CLOSE_CODES.protocolViolation.code, 'auth timeout');
        continue;
      }
      if (s.state !== 'live') continue;
      if (nowSeconds >= s.expiresAt + this.clockToleranceSeconds) {
        s.close(CLOSE_CODES.unauthorized.code, 'token expired');
        continue;
      }
      if (s.awaitingPongSinceMs !== 0) {
        if (nowMs - s.awaitingPongSinceMs >= this.pongTimeoutMs)
          s.close(CLOSE_CODES.heartbeatTimeout.code, 'no pong');
        continue;
      }
      if (nowMs - s.lastPingMs >= this.pingIntervalMs) {
        s.lastPingMs = nowMs;
        s.awaitingPongSinceMs = nowMs;
        s.enqueue(PING_MESSAGE);
      }
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

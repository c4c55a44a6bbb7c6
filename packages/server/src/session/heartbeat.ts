/**
 * One heartbeat ticker per node (ARCHITECTURE.md: no per-connection timers on the hot path):
 * pings live sessions every `ping_interval` and closes those whose pong is overdue (4002).
 */
import { CLOSE_CODES } from '@hubcast/protocol';
import type { Session } from './session.js';

const PING_FRAME = Buffer.from('{"type":"ping"}');

export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sessions: ReadonlySet<Session>,
    private readonly pingIntervalMs: number,
    private readonly pongTimeoutMs: number,
  ) {}

  start(): void {
    const tickMs = Math.max(
      20,
      Math.min(1000, Math.min(this.pingIntervalMs, this.pongTimeoutMs) / 4),
    );
    this.timer = setInterval(() => this.tick(Date.now()), tickMs);
    this.timer.unref();
  }

  tick(nowMs: number): void {
    for (const s of this.sessions) {
      if (s.state !== 'live') continue;
      if (s.awaitingPongSinceMs !== 0) {
        if (nowMs - s.awaitingPongSinceMs >= this.pongTimeoutMs)
          s.close(CLOSE_CODES.heartbeatTimeout.code, 'no pong');
        continue;
      }
      if (nowMs - s.lastPingMs >= this.pingIntervalMs) {
        s.lastPingMs = nowMs;
        s.awaitingPongSinceMs = nowMs;
        s.enqueue(PING_FRAME);
      }
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** Attempt counting, delays and the timer between sockets: the shell around reconnectDecision. */
import { backoffDelayMs, type BackoffOptions } from './backoff.js';
import { reconnectDecision, type ReconnectDecision } from './reconnect-policy.js';

export class Reconnector {
  /** Failed attempts since the last `connected`. */
  private attempt = 0;
  /** `delay_ms` of the current socket's `reconnect` push. */
  private serverDelayMs: number | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly backoff: BackoffOptions,
    private readonly random: () => number = Math.random,
  ) {}

  /** A new socket: the previous one's `reconnect` push no longer applies. */
  socketOpened(): void {
    this.serverDelayMs = undefined;
  }

  /** The server said it is going away (docs/protocol.md §5 `reconnect`). */
  noteServerDelay(delayMs: number): void {
    this.serverDelayMs = delayMs;
  }

  /** A handshake succeeded (or `connect()` was called): backoff starts over. */
  resetAttempts(): void {
    this.attempt = 0;
  }

  /** What to do after a close; a reconnect counts as one more attempt. */
  decide(closeCode: number, closeReason: string, canFetchToken: boolean): ReconnectDecision {
    const decision = reconnectDecision(closeCode, {
      attempt: this.attempt,
      backoff: this.backoff,
      random: this.random,
      ...(this.serverDelayMs === undefined ? {} : { serverDelayMs: this.serverDelayMs }),
      canFetchToken,
      closeReason,
    });
    if (decision.kind === 'reconnect') this.attempt++;
    return decision;
  }

  /** Plain backoff for a failure before any socket (no token). */
  nextDelayMs(): number {
    return backoffDelayMs(this.attempt++, this.backoff, this.random);
  }

  schedule(delayMs: number, run: () => void): void {
    this.cancel();
    this.timer = setTimeout(() => {
      this.timer = undefined;
      run();
    }, delayMs);
  }

  cancel(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

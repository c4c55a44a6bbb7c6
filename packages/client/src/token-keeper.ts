/**
 * The client's token: the one to connect with, a fresh one from `getToken()` after a 4501,
 * and a `refresh` before `expires_at` (docs/protocol.md §4 `refresh`, §7).
 */
import { HubcastError } from '@hubcast/protocol';
import { refreshDelayMs } from './token-refresh.js';

/** setTimeout's ceiling (2^31 - 1 ms); longer waits are re-armed. */
const MAX_TIMER_MS = 2_147_483_647;

export interface TokenKeeperOptions {
  token: string | undefined;
  getToken: (() => string | Promise<string>) | undefined;
  refreshMarginSeconds: number | undefined;
  /** Sends `refresh` on the live connection; resolves with the new `expires_at`. */
  sendRefresh(token: string): Promise<number>;
  onRefreshed(expiresAtSeconds: number): void;
  /** A refresh failed; the connection stays (the server's 4501 at expiry takes over). */
  onRefreshError(error: HubcastError): void;
}

export class TokenKeeper {
  private token: string | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Bumped by `cancelRefresh`, so a refresh in flight for an old connection does nothing. */
  private generation = 0;

  constructor(private readonly options: TokenKeeperOptions) {
    this.token = options.token;
  }

  /** Whether a new token can be fetched (a 4501 is then worth a reconnect). */
  get canFetch(): boolean {
    return this.options.getToken !== undefined;
  }

  /** The token to connect with: the current one, or a new one from `getToken()`. */
  async obtain(): Promise<string> {
    if (this.token !== undefined) return this.token;
    let token: unknown;
    try {
      token = await this.options.getToken?.();
    } catch (cause) {
      throw tokenError(cause, 'connect');
    }
    if (typeof token !== 'string' || token === '')
      throw new HubcastError('unauthorized', 'getToken() returned no token');
    this.token = token;
    return token;
  }

  /** Forgets the current token (the server refused it); the next `obtain` fetches one. */
  invalidate(): void {
    if (this.canFetch) this.token = undefined;
  }

  /** Plans a `refresh` before `expiresAtSeconds`; a no-op without `getToken`. */
  scheduleRefresh(expiresAtSeconds: number): void {
    this.clearTimer();
    if (!this.canFetch) return;
    const marginSeconds = this.options.refreshMarginSeconds;
    const delayMs = refreshDelayMs({
      expiresAtSeconds,
      nowMs: Date.now(),
      ...(marginSeconds === undefined ? {} : { marginSeconds }),
    });
    const generation = this.generation;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        if (delayMs > MAX_TIMER_MS) this.scheduleRefresh(expiresAtSeconds);
        else void this.refresh(generation);
      },
      Math.min(delayMs, MAX_TIMER_MS),
    );
  }

  cancelRefresh(): void {
    this.generation++;
    this.clearTimer();
  }

  private async refresh(generation: number): Promise<void> {
    const getToken = this.options.getToken;
    if (getToken === undefined) return;
    try {
      const token = await getToken();
      if (generation !== this.generation) return;
      const expiresAtSeconds = await this.options.sendRefresh(token);
      if (generation !== this.generation) return;
      this.token = token;
      this.scheduleRefresh(expiresAtSeconds);
      this.options.onRefreshed(expiresAtSeconds);
    } catch (cause) {
      if (generation === this.generation) this.options.onRefreshError(tokenError(cause, 'refresh'));
    }
  }

  private clearTimer(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

function tokenError(cause: unknown, during: string): HubcastError {
  if (cause instanceof HubcastError) return cause;
  return new HubcastError('unauthorized', `getToken() failed during ${during}`, { cause });
}

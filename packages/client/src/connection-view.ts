/**
 * The client's connection as a View: its state, the last error, and which reconnect attempt
 * it is on, so an app can show "reconnecting (3)…" and why, without wiring five events.
 */
import type { HubcastError } from '@hubcast/protocol';
import type { ClientState } from './client-state.js';
import type { ClientEvents, SessionInfo } from './events.js';
import { ViewState, type View } from './view.js';

export interface ConnectionSnapshot {
  state: ClientState;
  /** The live session, while connected. */
  session: Readonly<SessionInfo> | undefined;
  /** The newest error the client reported (kept after a reconnect, as a record). */
  lastError: HubcastError | undefined;
  /** The last close, while not connected: its code, reason and the wait before retrying. */
  lastDisconnect: { code: number; reason: string; delayMs?: number } | undefined;
  /** Failed attempts since the last `connected` (0 while connected). */
  reconnectAttempt: number;
  /** Whether the client will try again on its own (false once stopped). */
  willReconnect: boolean;
  /**
   * The last connect's `resumed` this view saw: `true` when the server replayed from the
   * cursor, `false` when it could not (reload what the app shows), `undefined` before one and
   * on a first connect without a cursor. With `connectShared` it is the shared connection's
   * (a tab that joins later sees the connect that is up), not a per-tab replay.
   */
  resumed: boolean | undefined;
}

/** What the view needs from the client (the client itself). */
export interface ConnectionSource {
  readonly state: ClientState;
  readonly session: Readonly<SessionInfo> | undefined;
  on<K extends 'state' | 'connected' | 'disconnected' | 'error'>(
    event: K,
    listener: ClientEvents[K],
  ): () => void;
}

/** The client's connection state as a View; `stop()` detaches it. */
export class ConnectionView implements View<ConnectionSnapshot> {
  private readonly view: ViewState<ConnectionSnapshot>;
  private readonly offs: (() => void)[];
  private lastError: HubcastError | undefined;
  private lastDisconnect: ConnectionSnapshot['lastDisconnect'];
  private reconnectAttempt = 0;
  private willReconnect = true;
  private resumed: boolean | undefined;

  constructor(private readonly source: ConnectionSource) {
    this.view = new ViewState(
      () => ({
        state: source.state,
        session: source.session,
        lastError: this.lastError,
        lastDisconnect: source.state === 'connected' ? undefined : this.lastDisconnect,
        reconnectAttempt: this.reconnectAttempt,
        willReconnect: this.willReconnect,
        resumed: this.resumed,
      }),
      (cause) =>
        queueMicrotask(() => {
          throw cause;
        }),
    );
    this.offs = [
      source.on('state', () => this.view.changed()),
      source.on('connected', (ctx) => {
        this.resumed = ctx.resumed;
        this.reconnectAttempt = 0;
        this.willReconnect = true;
        this.view.changed();
      }),
      source.on('disconnected', (ctx) => {
        this.lastDisconnect = {
          code: ctx.code,
          reason: ctx.reason,
          ...(ctx.delayMs === undefined ? {} : { delayMs: ctx.delayMs }),
        };
        this.willReconnect = ctx.willReconnect;
        if (ctx.willReconnect) this.reconnectAttempt++;
        if (ctx.error !== undefined) this.lastError = ctx.error;
        this.view.changed();
      }),
      source.on('error', (ctx) => {
        this.lastError = ctx.error;
        this.view.changed();
      }),
    ];
  }

  subscribe(listener: () => void): () => void {
    return this.view.subscribe(listener);
  }

  getSnapshot(): ConnectionSnapshot {
    return this.view.getSnapshot();
  }

  /** Stops following the client. Idempotent. */
  stop(): void {
    for (const off of this.offs.splice(0)) off();
  }
}

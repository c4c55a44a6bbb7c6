/**
 * The life of a HubcastClient's connection: sockets opened and reopened with backoff, the
 * `connect` handshake that resubscribes and resumes, server messages routed to their owners,
 * and each close decided by the table of docs/protocol.md §7. `HubcastClient` (client.ts)
 * extends it with the public commands.
 */
import {
  HubcastError,
  SUBPROTOCOL_JSON,
  badRequest,
  isObject,
  unavailable,
  type ConnectCommand,
  type ConnectedReply,
  type EventPush,
  type ServerMessage,
} from '@hubcast/protocol';
import { CLIENT_TRANSITIONS, type ClientState } from './client-state.js';
import { CommandChannel } from './command-channel.js';
import { ConnectWaiters } from './connect-waiters.js';
import { ABNORMAL_CLOSE, Connection } from './connection.js';
import { TypedEmitter } from './emitter.js';
import type { ClientEvents, SessionInfo } from './events.js';
import { resolveClientOptions, type ClientOptions, type ResolvedClientOptions } from './options.js';
import { errorFromReply } from './pending-commands.js';
import { Publisher } from './publisher.js';
import { Reconnector } from './reconnector.js';
import { StateMachine } from './state-machine.js';
import { Subscriber } from './subscriber.js';
import { SubscriptionRegistry } from './subscription-registry.js';
import { TokenKeeper } from './token-keeper.js';

/** docs/protocol.md §3: silence for `ping_interval` + 10 s means the connection is dead. */
const HEARTBEAT_GRACE_SECONDS = 10;
const CLIENT_NAME = '@hubcast/client';

/** The connection half of `HubcastClient` (client.ts); not constructed on its own. */
export abstract class ClientLifecycle extends TypedEmitter<ClientEvents> {
  /** @internal */
  protected readonly options: ResolvedClientOptions;
  /** @internal */
  protected readonly reconnector: Reconnector;
  /** @internal */
  protected readonly machine: StateMachine<ClientState>;
  /** @internal */
  protected readonly commands: CommandChannel;
  /** @internal */
  protected readonly publisher: Publisher;
  private readonly tokens: TokenKeeper;
  private readonly registry = new SubscriptionRegistry();
  /** @internal */
  protected readonly subscriber: Subscriber;
  /** @internal */
  protected readonly waiters = new ConnectWaiters();
  private connection: Connection | undefined;
  private lastCursor: string | undefined;
  private currentSession: SessionInfo | undefined;
  /** Bumped per attempt and on stop, so an abandoned attempt's async steps do nothing. */
  private attemptSeq = 0;
  /** The `error` reply to this socket's `connect`, explaining the close that follows. */
  private connectError: HubcastError | undefined;

  constructor(options: ClientOptions) {
    super((error, event) => this.reportError(error, `'${event}' listener`));
    const o = resolveClientOptions(options);
    this.options = o;
    this.lastCursor = o.cursor;
    this.reconnector = new Reconnector({
      minMs: o.minReconnectDelayMs,
      maxMs: o.maxReconnectDelayMs,
    });
    this.machine = new StateMachine('disconnected', CLIENT_TRANSITIONS, (c) =>
      this.emit('state', c),
    );
    this.commands = new CommandChannel(o.commandTimeoutMs, o.maxMessageBytes);
    this.publisher = new Publisher(this.commands, o.echo, o.offlineQueueSize);
    this.subscriber = new Subscriber(this.registry, this.commands, o.commandTimeoutMs, {
      emitError: (ctx) => this.emit('error', ctx),
      reportError: (error, channel, where) => this.reportError(error, where, channel),
      abortConnection: (reason) => this.connection?.abort(ABNORMAL_CLOSE, reason),
    });
    this.tokens = new TokenKeeper({
      token: o.token,
      getToken: o.getToken,
      refreshMarginSeconds: o.refreshMarginSeconds,
      sendRefresh: async (token) =>
        (await this.commands.request({ type: 'refresh', token })).expires_at,
      onRefreshed: (expiresAtSeconds) => {
        if (this.currentSession !== undefined)
          this.currentSession = { ...this.currentSession, expiresAtSeconds };
        this.emit('refreshed', { expiresAtSeconds });
      },
      onRefreshError: (error) => this.emit('error', { error }),
    });
  }

  get state(): ClientState {
    return this.machine.state;
  }

  /** The cursor of the last event processed (the log head after a fresh handshake). */
  get cursor(): string | undefined {
    return this.lastCursor;
  }

  /** The live session, while connected. */
  get session(): Readonly<SessionInfo> | undefined {
    return this.currentSession;
  }

  protected async openConnection(): Promise<void> {
    const seq = ++this.attemptSeq;
    let token: string;
    try {
      token = await this.tokens.obtain();
    } catch (cause) {
      if (seq !== this.attemptSeq) return;
      const error = cause instanceof HubcastError ? cause : unavailable('no token', { cause });
      this.emit('error', { error });
      if (this.state === 'connecting')
        this.scheduleReconnect(ABNORMAL_CLOSE, 'no token', this.reconnector.nextDelayMs(), error);
      return;
    }
    if (seq !== this.attemptSeq) return;
    this.connectError = undefined;
    this.reconnector.socketOpened();
    const conn: Connection = new Connection(
      {
        url: this.options.url,
        WebSocket: this.options.WebSocket,
        protocols: [SUBPROTOCOL_JSON],
        maxFrameBytes: this.options.maxMessageBytes,
        silenceTimeoutMs: this.options.commandTimeoutMs, // bounds the handshake
      },
      {
        onOpen: () => this.sendConnect(conn, token),
        onMessage: (message) => this.dispatch(conn, message),
        onBadFrame: (why) =>
          this.reportError(badRequest(`unreadable server message: ${why}`), 'server'),
        onClose: (code, reason) => this.handleClose(conn, code, reason),
      },
    );
    this.connection = conn;
  }

  /** Resubscribe-and-resume in one message: all patterns and the cursor (docs/protocol.md §4). */
  private sendConnect(conn: Connection, token: string): void {
    if (conn !== this.connection) return;
    const command: ConnectCommand = {
      type: 'connect',
      token,
      subscriptions: this.registry.patternsForConnect(),
      client: { name: CLIENT_NAME, ...this.options.client },
    };
    const sentCursor = this.lastCursor;
    if (sentCursor !== undefined) command.cursor = sentCursor;
    const handlers = {
      resolve: (reply: ConnectedReply) => this.handleConnected(conn, reply, sentCursor),
      // A refusal is followed by the close (4501, 4003), which decides; this explains it.
      reject: (error: HubcastError) => {
        this.connectError = error;
        if (error.code === 'too_large') conn.abort(ABNORMAL_CLOSE, error.message);
      },
      onLost: () => {}, // the close itself is the news
    };
    this.commands.send(conn, command, handlers, 0); // the silence watchdog bounds the wait
  }

  private handleConnected(
    conn: Connection,
    reply: ConnectedReply,
    sentCursor: string | undefined,
  ): void {
    if (conn !== this.connection) return;
    if (this.lastCursor === undefined || reply.resumed === false) this.lastCursor = reply.cursor;
    const session: SessionInfo = {
      id: reply.session,
      user: reply.user,
      org: reply.org,
      expiresAtSeconds: reply.expires_at,
      pingIntervalSeconds: reply.ping_interval,
    };
    this.currentSession = session;
    this.reconnector.resetAttempts();
    conn.setSilenceTimeout((reply.ping_interval + HEARTBEAT_GRACE_SECONDS) * 1000);
    this.commands.open(conn);
    this.machine.transition('connected', reply.resumed === true ? 'resumed' : 'handshake done');
    if (conn !== this.connection) return; // a listener disconnected
    this.subscriber.resubscribe(reply);
    if (conn !== this.connection) return;
    this.publisher.flush();
    this.tokens.scheduleRefresh(reply.expires_at);
    const settleWaiters = this.waiters.take();
    this.emit('connected', {
      session,
      resumed: reply.resumed,
      cursor: this.lastCursor,
      subscriptions: reply.subscriptions,
      rejected: reply.rejected,
    });
    if (reply.resumed === false && sentCursor !== undefined && conn === this.connection)
      this.emit('reset', { previousCursor: sentCursor, cursor: reply.cursor });
    settleWaiters();
  }

  private dispatch(conn: Connection, raw: unknown): void {
    if (conn !== this.connection) return;
    if (!isObject(raw) || typeof raw.type !== 'string') {
      this.reportError(badRequest('server message without a string type'), 'server');
      return;
    }
    // The server is trusted to send docs/protocol.md shapes; only the envelope is checked.
    const message = raw as unknown as ServerMessage;
    switch (message.type) {
      case 'event':
        return this.handleEvent(message);
      case 'join':
      case 'leave':
        return this.registry.deliverPresence(message);
      case 'reconnect':
        return this.reconnector.noteServerDelay(message.delay_ms);
      case 'ping':
        this.commands.write(conn, { type: 'pong' });
        return;
      case 'unsubscribed': {
        if (message.id !== undefined) break;
        const reason = message.reason ?? 'unsubscribed';
        if (this.registry.endByServer(message.channel, reason))
          this.emit('unsubscribed', { channel: message.channel, reason });
        return;
      }
      case 'error':
        if (message.id === undefined) return this.emit('error', { error: errorFromReply(message) });
        break;
      case 'connected':
      case 'subscribed':
      case 'published':
      case 'refreshed':
      case 'presence':
      case 'history':
      case 'result':
      case 'pong':
        break;
      default: {
        // A type from a newer server is ignored: protocol additions stay optional.
        const unknownType: never = message;
        return void unknownType;
      }
    }
    if (message.id !== undefined) this.commands.settle(message.id, message);
  }

  private handleEvent(push: EventPush): void {
    const { type: _type, ...event } = push;
    if (event.ephemeral === true) {
      // Never logged: it belongs to no replay and must not move the resume cursor, or a
      // reconnect would resume from a position the log does not have (docs/ephemeral.md).
      this.registry.deliver(event, undefined);
      this.emit('event', event);
      return;
    }
    // Events replayed for a `subscribe` with a cursor are older than the connection cursor.
    const replayTarget = this.registry.replayTarget(event.channel);
    this.registry.deliver(event, replayTarget);
    if (replayTarget === undefined) this.lastCursor = event.cursor;
    this.emit('event', event);
  }

  private handleClose(conn: Connection, code: number, reason: string): void {
    if (conn !== this.connection) return;
    this.connection = undefined;
    this.currentSession = undefined;
    this.tokens.cancelRefresh();
    this.commands.close(unavailable(`connection closed with ${code} before the reply`));
    this.registry.connectionLost(`connection closed with ${code}`);
    if (this.state === 'disconnected') return; // a listener called disconnect()
    const decision = this.reconnector.decide(code, reason, this.tokens.canFetch);
    const connectError = this.connectError;
    if (decision.kind === 'stop') {
      const { code: errorCode, message } = decision.error;
      const error =
        connectError === undefined
          ? decision.error
          : new HubcastError(errorCode, `${message} (${connectError.message})`, {
              closeCode: code,
              cause: connectError,
            });
      return this.stop(code, reason, error);
    }
    if (decision.fetchToken) this.tokens.invalidate();
    if (this.state === 'connected') this.machine.transition('connecting', `closed with ${code}`);
    this.scheduleReconnect(code, reason, decision.delayMs, connectError);
  }

  private scheduleReconnect(
    code: number,
    reason: string,
    delayMs: number,
    error?: HubcastError,
  ): void {
    this.emit('disconnected', {
      code,
      reason,
      willReconnect: true,
      delayMs,
      ...(error && { error }),
    });
    if (this.state !== 'connecting' || this.connection !== undefined) return; // a listener intervened
    this.reconnector.schedule(delayMs, () => void this.openConnection());
  }

  protected stop(code: number, reason: string, error: HubcastError | undefined): void {
    this.attemptSeq++;
    this.reconnector.cancel();
    this.tokens.cancelRefresh();
    this.connection?.close(reason);
    this.connection = undefined;
    this.currentSession = undefined;
    const settleWaiters = this.waiters.take();
    const stopped = new HubcastError(error?.code ?? 'unavailable', `client stopped: ${reason}`, {
      ...(error && { cause: error, closeCode: code }),
    });
    this.commands.close(stopped); // in-flight publishes go back to the queue first...
    this.publisher.rejectQueued(stopped); // ...and are rejected with the queued ones
    this.registry.connectionLost(reason);
    this.machine.transition('disconnected', reason);
    this.emit('disconnected', { code, reason, willReconnect: false, ...(error && { error }) });
    if (error !== undefined) this.emit('error', { error });
    settleWaiters(stopped);
  }

  private reportError(cause: unknown, where: string, channel?: string): void {
    if (where === "'error' listener") {
      // An error listener that throws has nowhere left to report to: surface it.
      queueMicrotask(() => {
        throw cause;
      });
      return;
    }
    const why = cause instanceof Error ? cause.message : String(cause);
    const error =
      cause instanceof HubcastError
        ? cause
        : new HubcastError('internal', `${where} threw: ${why}`, { cause });
    this.emit('error', { error, ...(channel === undefined ? {} : { channel }) });
  }
}

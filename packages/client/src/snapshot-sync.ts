/**
 * Keeps state loaded from a snapshot in step with a subscription, without gaps or going back
 * in time. The one place that knows the ordering rules every live view shares:
 *
 * 1. A load starts only once the subscription is live, so every change after the snapshot's
 *    moment arrives as an event.
 * 2. Events that arrive while the load is in flight are buffered and applied on top of the
 *    snapshot, in arrival (log) order: the snapshot may or may not hold them, and applying an
 *    absolute change again is harmless, while dropping one would lose it. The owner may skip
 *    the buffered events the snapshot says it holds (a cursor it returned).
 * 3. A new load starts a new buffer and makes the answer of any load before it moot, so a slow
 *    stale snapshot never lands over a newer one.
 * 4. The buffer is bounded (`maxBufferedEvents`): a load that never answers while events pour
 *    in ends as a `limit_exceeded` error, not as unbounded memory; `reload()` tries again.
 * 5. A logged channel reloads after the client's `reset` (its cursor fell out of retention:
 *    events were missed); an unlogged one (presence) reloads each time it goes live again.
 */
import { HubcastError } from '@hubcast/protocol';
import type { ClientState } from './client-state.js';
import type { ResetContext, SubscriptionEndedContext } from './events.js';
import type { Subscription } from './subscription.js';

/** Where a live view is: `waiting` until its subscription is first live. */
export type SyncStatus = 'waiting' | 'loading' | 'ready' | 'error';

/** What a live view needs from the client (the client itself). */
export interface LiveSource {
  readonly state: ClientState;
  on(event: 'reset', listener: (ctx: ResetContext) => void): () => void;
}

/** @internal */
export interface SnapshotSyncOptions<S, I> {
  source: LiveSource;
  /** Subscribes, routing whatever should change the state to `push`. */
  attach: (push: (input: I) => void) => Subscription;
  load: (signal: AbortSignal) => Promise<S>;
  /** Replaces the state with `snapshot`, then applies `buffered` (arrived during the load). */
  applySnapshot: (snapshot: S, buffered: readonly I[]) => void;
  /** Applies one input to loaded state. */
  apply: (input: I) => void;
  /** `reset` for a logged channel, `subscribed` for one whose changes are not replayed. */
  reloadOn: 'reset' | 'subscribed';
  /** Status, error or liveness changed. */
  onStatus: () => void;
  /** Events kept while a load is in flight; past it the load fails. */
  maxBufferedEvents?: number | undefined;
}

/** Enough for a slow snapshot of a busy channel; small enough to bound a stuck one. */
export const DEFAULT_MAX_BUFFERED_EVENTS = 10_000;

/** @internal The ordering rules above, for one subscription. */
export class SnapshotSync<S, I> {
  private currentStatus: SyncStatus = 'waiting';
  private currentError: HubcastError | undefined;
  private subscription: Subscription | undefined;
  private offSource: (() => void)[] = [];
  private buffer: I[] | undefined;
  private loadSeq = 0;
  private abort: AbortController | undefined;
  private needsLoad = true;

  constructor(private readonly options: SnapshotSyncOptions<S, I>) {}

  get status(): SyncStatus {
    return this.currentStatus;
  }

  get error(): HubcastError | undefined {
    return this.currentError;
  }

  /** Whether the subscription is live now (false while the client reconnects). */
  get isLive(): boolean {
    return this.subscription?.state === 'subscribed';
  }

  get isStarted(): boolean {
    return this.subscription !== undefined;
  }

  /** Subscribes; the first load follows once the subscription is live. Idempotent. */
  start(): void {
    if (this.subscription !== undefined) return;
    this.needsLoad = true;
    this.currentStatus = 'waiting';
    this.currentError = undefined;
    const sub = this.options.attach((input) => this.push(input));
    this.subscription = sub;
    this.offSource = [
      sub.on('subscribed', () => this.handleLive(sub)),
      sub.on('state', () => this.options.onStatus()),
      sub.on('unsubscribed', (ctx) => this.handleEnded(sub, ctx)),
      this.options.source.on('reset', () => this.handleReset()),
    ];
    // A pattern the client already holds is live at once, before the listener existed.
    if (sub.state === 'subscribed') this.handleLive(sub);
  }

  /** Unsubscribes and forgets any load in flight; the state is kept. Idempotent. */
  stop(): void {
    const sub = this.subscription;
    if (sub === undefined) return;
    this.subscription = undefined;
    for (const off of this.offSource.splice(0)) off();
    this.cancelLoad();
    sub.unsubscribe();
  }

  /** Loads a fresh snapshot now if live, else as soon as the subscription is. */
  reload(): void {
    this.needsLoad = true;
    if (this.isLive) this.load();
  }

  private push(input: I): void {
    if (this.buffer !== undefined) {
      if (this.buffer.length < (this.options.maxBufferedEvents ?? DEFAULT_MAX_BUFFERED_EVENTS))
        this.buffer.push(input);
      else this.overflow();
    } else if (this.currentStatus === 'ready') this.options.apply(input);
    // Otherwise no state is loaded yet (or the last load failed): the next load covers it.
  }

  private handleLive(sub: Subscription): void {
    if (sub !== this.subscription) return;
    if (this.needsLoad || this.options.reloadOn === 'subscribed') this.load();
  }

  private handleReset(): void {
    if (this.subscription === undefined || this.options.reloadOn !== 'reset') return;
    this.reload();
  }

  private handleEnded(sub: Subscription, ctx: SubscriptionEndedContext): void {
    if (sub !== this.subscription || ctx.reason === 'unsubscribe') return;
    this.cancelLoad();
    this.currentStatus = 'error';
    this.currentError =
      ctx.error ??
      new HubcastError('unavailable', `subscription to '${ctx.channel}' ended: ${ctx.reason}`);
    this.options.onStatus();
  }

  private load(): void {
    this.cancelLoad();
    const seq = ++this.loadSeq;
    const abort = new AbortController();
    this.abort = abort;
    this.buffer = [];
    this.currentStatus = 'loading';
    this.options.onStatus();
    let loading: Promise<S>;
    try {
      loading = this.options.load(abort.signal);
    } catch (cause) {
      loading = Promise.reject(cause instanceof Error ? cause : new Error(String(cause)));
    }
    loading.then(
      (snapshot) => {
        if (seq !== this.loadSeq) return;
        const buffered = this.buffer ?? [];
        this.buffer = undefined;
        this.abort = undefined;
        this.needsLoad = false;
        this.currentStatus = 'ready';
        this.currentError = undefined;
        this.options.applySnapshot(snapshot, buffered);
        this.options.onStatus();
      },
      (cause: unknown) => {
        if (seq !== this.loadSeq) return;
        this.buffer = undefined;
        this.abort = undefined;
        this.needsLoad = true; // the next time the subscription goes live, or reload()
        this.currentStatus = 'error';
        this.currentError = asHubcastError(cause, 'snapshot load failed');
        this.options.onStatus();
      },
    );
  }

  /** Too many events arrived during the load: it is given up, and says why. */
  private overflow(): void {
    const max = this.buffer?.length ?? 0;
    this.cancelLoad();
    this.needsLoad = true;
    this.currentStatus = 'error';
    this.currentError = new HubcastError(
      'limit_exceeded',
      `more than ${max} events arrived while the snapshot loaded; call reload() to try again`,
    );
    this.options.onStatus();
  }

  private cancelLoad(): void {
    this.loadSeq++;
    this.abort?.abort();
    this.abort = undefined;
    this.buffer = undefined;
  }
}

/** A thrown value as a HubcastError (`internal` unless it already is one). */
export function asHubcastError(cause: unknown, what: string): HubcastError {
  if (cause instanceof HubcastError) return cause;
  const why = cause instanceof Error ? cause.message : String(cause);
  return new HubcastError('internal', `${what}: ${why}`, { cause });
}

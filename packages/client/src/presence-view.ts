/**
 * Who is in a channel, as a View: a `presence` snapshot each time the subscription goes live
 * (join and leave are not logged, so a resume cannot replay the ones missed offline), then
 * `join`/`leave` pushes applied on top. The member list of a snapshot may be capped by the
 * server (docs/presence.md §6); `count` still counts everyone.
 */
import type { HubcastError, PresenceMember } from '@hubcast/protocol';
import type { PresenceChangeContext, PresenceSnapshot } from './events.js';
import { SnapshotSync, type LiveSource, type SyncStatus } from './snapshot-sync.js';
import type { EventHandler, SubscribeOptions, Subscription } from './subscription.js';
import { ViewState, type View } from './view.js';

/** A member as the view holds it: from a snapshot, or from a `join` (info only). */
export interface PresenceViewMember {
  user: string;
  info?: PresenceMember['info'];
  /** Known from a snapshot; a user who joined since shows 1 until the next snapshot. */
  connections: number;
  devices: string[];
}

export interface PresenceViewSnapshot {
  status: SyncStatus;
  error: HubcastError | undefined;
  isLive: boolean;
  /** Sorted by user id. */
  members: readonly PresenceViewMember[];
  /** Everyone present, listed or not. */
  count: number;
}

export type PresenceInput = { kind: 'join' | 'leave'; ctx: PresenceChangeContext };

export interface PresenceState {
  members: Map<string, PresenceViewMember>;
  count: number;
}

/** Loads a presence snapshot into `state`. Pure apart from mutating `state`. */
export function applyPresenceSnapshot(state: PresenceState, snapshot: PresenceSnapshot): void {
  state.members.clear();
  for (const m of snapshot.members) state.members.set(m.user, { ...m });
  state.count = Math.max(snapshot.count ?? snapshot.members.length, state.members.size);
}

/** Applies a `join` or `leave`; returns whether anything changed. */
export function applyPresenceChange(state: PresenceState, input: PresenceInput): boolean {
  const { user, info } = input.ctx;
  const known = state.members.get(user);
  if (input.kind === 'leave') {
    if (known !== undefined) state.members.delete(user);
    // A leave of an unlisted user still lowers the count (the list may be capped).
    const count = Math.max(state.members.size, state.count - 1);
    const changed = known !== undefined || count !== state.count;
    state.count = count;
    return changed;
  }
  const member: PresenceViewMember = known ? { ...known } : { user, connections: 1, devices: [] };
  if (info === undefined) delete member.info;
  else member.info = info;
  state.members.set(user, member);
  // `update: true` is a present user's new info; otherwise someone new arrived.
  if (input.ctx.update !== true && known === undefined) state.count++;
  state.count = Math.max(state.count, state.members.size);
  return true;
}

/** What the view needs from the client (the client itself). */
export interface PresenceSource extends LiveSource {
  subscribe(pattern: string, handler: EventHandler, options?: SubscribeOptions): Subscription;
  presence(channel: string): Promise<PresenceSnapshot>;
}

/** Who is in one concrete channel, kept live. */
export class PresenceView implements View<PresenceViewSnapshot> {
  private readonly state: PresenceState = { members: new Map(), count: 0 };
  private readonly sync: SnapshotSync<PresenceSnapshot, PresenceInput>;
  private readonly view: ViewState<PresenceViewSnapshot>;

  constructor(
    source: PresenceSource,
    readonly channel: string,
  ) {
    this.view = new ViewState(
      () => ({
        status: this.sync.status,
        error: this.sync.error,
        isLive: this.sync.isLive,
        members: [...this.state.members.values()].sort((a, b) =>
          a.user < b.user ? -1 : a.user > b.user ? 1 : 0,
        ),
        count: this.state.count,
      }),
      (cause) =>
        queueMicrotask(() => {
          throw cause;
        }),
    );
    this.sync = new SnapshotSync({
      source,
      attach: (push) => {
        const sub = source.subscribe(channel, () => undefined, { presence: true });
        sub.on('join', (ctx) => push({ kind: 'join', ctx }));
        sub.on('leave', (ctx) => push({ kind: 'leave', ctx }));
        return sub;
      },
      load: () => source.presence(channel),
      applySnapshot: (snapshot, buffered) => {
        applyPresenceSnapshot(this.state, snapshot);
        for (const input of buffered) applyPresenceChange(this.state, input);
      },
      apply: (input) => {
        if (applyPresenceChange(this.state, input)) this.view.changed();
      },
      reloadOn: 'subscribed',
      onStatus: () => this.view.changed(),
    });
  }

  get count(): number {
    return this.state.count;
  }

  /** Subscribes with presence and loads once live. Idempotent. */
  start(): this {
    this.sync.start();
    return this;
  }

  /** Unsubscribes. Idempotent. */
  stop(): void {
    this.sync.stop();
  }

  subscribe(listener: () => void): () => void {
    return this.view.subscribe(listener);
  }

  getSnapshot(): PresenceViewSnapshot {
    return this.view.getSnapshot();
  }
}

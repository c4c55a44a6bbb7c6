/**
 * Presence for N stateless nodes sharing one Redis (issue 11). redis-scripts.ts holds the
 * layout and the scripts that keep `firstForUser`/`lastForUser` atomic across nodes,
 * redis-incarnation.ts this node's heartbeat, redis-reaper.ts the clean-up after dead nodes;
 * this file runs them.
 */
import type { PresenceMember } from '@hubcast/protocol';
import type { Redis } from 'ioredis';
import { EngineUnavailableError } from '../engine-error.js';
import { redisFailure } from '../redis/errors.js';
import { groupMembers } from './members.js';
import type {
  ExpiringPresence,
  ExpiryHandlers,
  MemberPage,
  Presence,
  PresenceChange,
  PresenceEntry,
} from './presence.js';
import { openPresenceConnection } from './redis-connection.js';
import { Incarnation } from './redis-incarnation.js';
import { presenceChange, reapDeadNodes } from './redis-reaper.js';
import {
  ADD,
  BEAT,
  LIVE,
  PAGE,
  PresenceKeys,
  REMOVE,
  UPDATE,
  decodeEntry,
  encodeEntry,
  indexMember,
  isPaged,
  runScript,
} from './redis-scripts.js';

export interface RedisPresenceOptions {
  /**
   * The node's client, used as a template only: the presence opens a connection of its own
   * with the same address, credentials and reconnect backoff, and failure settings of its own
   * (redis-connection.ts). `close()` ends that connection and never touches this client.
   */
  redis: Redis;
  /** Prefix of every key (`--redis-prefix`). */
  prefix: string;
  /** This node's id: 1-64 characters of A-Z a-z 0-9 _ . : @ = + -. */
  nodeId: string;
  /** A node silent this long is dead (`--node-ttl`); it beats every third of this. */
  nodeTtlMs: number;
  /** The longest one Redis call may take before it fails (2000). */
  commandTimeoutMs?: number;
}

const NODE_ID = /^[A-Za-z0-9_.:@=+-]{1,64}$/;
/** Entries written again per round trip of a restore. */
const RESTORE_BATCH = 500;

interface Held {
  org: string;
  channel: string;
  session: string;
  entry: PresenceEntry;
}

export class RedisPresence implements Presence, ExpiringPresence {
  private readonly redis: Redis;
  private readonly keys: PresenceKeys;
  private readonly nodeId: string;
  private readonly ttlMs: number;
  private me: Incarnation;
  /** This node's entries, to write again if it is declared dead while alive (`restore`). */
  private readonly held = new Map<string, Held>();
  private handlers: ExpiryHandlers | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly running = new Set<Promise<void>>();
  private isReaping = false;
  private isRestoring = false;
  private needsRestore = false;
  private isClosed = false;
  private readonly connect: () => Promise<void>;

  constructor(options: RedisPresenceOptions) {
    if (!NODE_ID.test(options.nodeId))
      throw new RangeError('nodeId must be 1-64 characters of A-Z a-z 0-9 _ . : @ = + -');
    if (!(options.nodeTtlMs >= 30)) throw new RangeError('nodeTtlMs must be at least 30');
    this.nodeId = options.nodeId;
    this.ttlMs = options.nodeTtlMs;
    this.keys = new PresenceKeys(options.prefix);
    const connection = openPresenceConnection(
      options.redis,
      this.nodeId,
      options.commandTimeoutMs ?? 2000,
    );
    this.redis = connection.redis;
    this.connect = connection.connect;
    this.me = this.incarnation();
  }

  async add(
    org: string,
    channel: string,
    session: string,
    entry: PresenceEntry,
  ): Promise<{ firstForUser: boolean }> {
    if (this.isClosed) throw closedError();
    if (this.handlers === undefined)
      throw new EngineUnavailableError('presence', 'heartbeat not started');
    if (!this.me.hasLease())
      throw new EngineUnavailableError('presence', 'no heartbeat within the TTL', {
        code: 'unreachable',
      });
    const key = heldKey(org, channel, session);
    const held: Held = { org, channel, session, entry };
    this.held.set(key, held);
    try {
      return { firstForUser: await this.write(held) };
    } catch (err) {
      if (this.held.get(key) === held) this.held.delete(key);
      throw redisFailure('presence', err);
    }
  }

  async remove(
    org: string,
    channel: string,
    session: string,
  ): Promise<{ lastForUser: boolean; user?: string }> {
    if (this.isClosed) throw closedError();
    this.held.delete(heldKey(org, channel, session));
    const node = this.me.name;
    const keys = [
      this.keys.entries(org, channel),
      this.keys.users(org, channel),
      this.keys.index(org, node),
      this.keys.order(org, channel),
    ];
    let reply: unknown;
    try {
      await this.connect();
      reply = await runScript(this.redis, REMOVE, keys, [
        `${node}|${session}`,
        indexMember(channel, session),
      ]);
    } catch (err) {
      throw redisFailure('presence', err);
    }
    if (reply === null) return { lastForUser: false };
    const [user, last] = Array.isArray(reply) ? (reply as unknown[]) : [];
    if (typeof user !== 'string') throw new Error('unexpected reply to the presence remove script');
    return { lastForUser: last === 1, user };
  }

  async update(
    org: string,
    channel: string,
    session: string,
    entry: PresenceEntry,
  ): Promise<boolean> {
    if (this.isClosed) throw closedError();
    const key = heldKey(org, channel, session);
    const held = this.held.get(key);
    if (held === undefined) return false;
    // A restore writes the held entry again: it must be the new one. In place, so a restore
    // under way still finds the same record (it skips one that was replaced: removed).
    held.entry = entry;
    let reply: unknown;
    try {
      await this.connect();
      reply = await runScript(
        this.redis,
        UPDATE,
        [this.keys.entries(org, channel)],
        [`${this.me.name}|${session}`, encodeEntry(entry), entry.user],
      );
    } catch (err) {
      throw redisFailure('presence', err);
    }
    return reply === 1;
  }

  /** Two round trips whatever the channel's size: the live nodes, then one page script. */
  async membersPage(org: string, channel: string, limit: number): Promise<MemberPage> {
    if (this.isClosed) throw closedError();
    let reply: unknown;
    try {
      await this.connect();
      const live = await runScript(this.redis, LIVE, [this.keys.nodes], []);
      const nodes = Array.isArray(live) ? live.map(String) : [];
      const keys = [
        this.keys.entries(org, channel),
        this.keys.users(org, channel),
        this.keys.order(org, channel),
      ];
      reply = await runScript(this.redis, PAGE, keys, [String(limit), ...nodes]);
    } catch (err) {
      throw redisFailure('presence', err);
    }
    const [count, ...stored] = Array.isArray(reply) ? (reply as unknown[]) : [];
    if (typeof count !== 'number') throw new Error('unexpected reply to the presence page script');
    const entries: PresenceEntry[] = [];
    for (const value of stored) if (typeof value === 'string') entries.push(decodeEntry(value));
    return { members: groupMembers(entries), count };
  }

  /** Entries of nodes whose deadline passed are left out, reaped or not yet. */
  async members(org: string, channel: string): Promise<PresenceMember[]> {
    if (this.isClosed) throw closedError();
    let stored: Record<string, string>;
    let live: unknown;
    try {
      await this.connect();
      [stored, live] = await Promise.all([
        this.redis.hgetall(this.keys.entries(org, channel)),
        runScript(this.redis, LIVE, [this.keys.nodes], []),
      ]);
    } catch (err) {
      throw redisFailure('presence', err);
    }
    const alive = new Set(Array.isArray(live) ? (live as unknown[]) : []);
    const entries: PresenceEntry[] = [];
    for (const [field, value] of Object.entries(stored))
      if (alive.has(field.slice(0, field.indexOf('|')))) entries.push(decodeEntry(value));
    return groupMembers(entries);
  }

  async startHeartbeat(handlers: ExpiryHandlers): Promise<void> {
    if (this.isClosed) throw closedError();
    if (this.handlers !== undefined) throw new Error('startHeartbeat was called already');
    try {
      await this.connect();
      if (!(await this.me.beat())) throw new Error('a fresh incarnation cannot be dead');
    } catch (err) {
      throw redisFailure('presence', err);
    }
    this.handlers = handlers;
    this.schedule(handlers);
  }

  /**
   * Stops beating and ends the presence's own connection. Entries still there stay, as after
   * a crash: another node reports them as left once this node's TTL has passed.
   */
  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    clearTimeout(this.timer);
    await Promise.allSettled(this.running);
    this.held.clear();
    if (this.redis.status === 'ready') await this.redis.quit().catch(() => undefined);
    this.redis.disconnect();
  }

  private incarnation(): Incarnation {
    return new Incarnation(this.nodeId, this.ttlMs, async (name, isFirst) => {
      const args = [name, String(this.ttlMs), isFirst ? '0' : '1'];
      return (await runScript(this.redis, BEAT, [this.keys.nodes], args)) === 1;
    });
  }

  /**
   * Sends the entry's writes at once, before awaiting any: a `remove` called meanwhile then
   * goes after them on the connection and finds the entry.
   */
  private async write({ org, channel, session, entry }: Held): Promise<boolean> {
    const me = this.me;
    let recording: Promise<unknown> | undefined;
    if (!me.orgs.has(org)) {
      // Recorded at once, so the adds that follow in this org send no second SADD; they go
      // after this one on the connection, so the org is in the set before their entries are.
      me.orgs.add(org);
      recording = this.redis.sadd(this.keys.orgsOf(me.name), org).catch((err: unknown) => {
        me.orgs.delete(org);
        throw err;
      });
    }
    const keys = [
      this.keys.entries(org, channel),
      this.keys.users(org, channel),
      this.keys.index(org, me.name),
      this.keys.order(org, channel),
    ];
    const args = [
      `${me.name}|${session}`,
      encodeEntry(entry),
      entry.user,
      indexMember(channel, session),
      isPaged(channel) ? '1' : '0',
    ];
    const [, first] = await Promise.all([recording, runScript(this.redis, ADD, keys, args)]);
    return first === 1;
  }

  private schedule(handlers: ExpiryHandlers): void {
    this.timer = setTimeout(() => {
      this.track(this.tick(handlers).finally(() => !this.isClosed && this.schedule(handlers)));
    }, this.ttlMs / 3);
    this.timer.unref();
  }

  /** One beat; a restore or reap it calls for runs on its own, so beats never wait on one. */
  private async tick(handlers: ExpiryHandlers): Promise<void> {
    try {
      if (!(await this.me.beat())) {
        // Declared dead while alive (cut off for a TTL, or Redis lost its data): the old
        // entries are reaped or being reaped, so come back under a new name and write them
        // again.
        this.me = this.incarnation();
        this.needsRestore = true;
        await this.me.beat();
      }
    } catch (err) {
      this.me.beatFailed();
      return report(handlers, err);
    }
    if (this.needsRestore && !this.isRestoring) {
      this.isRestoring = true;
      this.track(
        this.restore(handlers)
          .catch((err: unknown) => report(handlers, err))
          .finally(() => (this.isRestoring = false)),
      );
    }
    if (!this.isReaping && this.me.mayReap()) {
      this.isReaping = true;
      const reaper = {
        redis: this.redis,
        keys: this.keys,
        self: this.me.name,
        leaseMs: this.ttlMs,
        isClosed: () => this.isClosed,
        onExpired: (left: PresenceChange[]) => notify(handlers, () => handlers.onExpired(left)),
      };
      this.track(
        reapDeadNodes(reaper)
          .catch((err: unknown) => report(handlers, err))
          .finally(() => (this.isReaping = false)),
      );
    }
  }

  /** Writes every held entry again; what is already there counts once (ADD's contract). */
  private async restore(handlers: ExpiryHandlers): Promise<void> {
    this.needsRestore = false;
    const joined: PresenceChange[] = [];
    const all = [...this.held];
    try {
      for (let i = 0; i < all.length && !this.isClosed; i += RESTORE_BATCH) {
        const round = all.slice(i, i + RESTORE_BATCH).map(async ([key, held]) => {
          // Removed meanwhile? Checked and sent in one step (write sends before it awaits).
          if (this.held.get(key) !== held) return;
          if (await this.write(held))
            joined.push(presenceChange(held.org, held.channel, held.entry));
        });
        await Promise.all(round);
      }
    } catch (err) {
      this.needsRestore = true; // again on the next beat
      throw err;
    } finally {
      if (joined.length > 0) notify(handlers, () => handlers.onRestored(joined));
    }
  }

  private track(task: Promise<void>): void {
    this.running.add(task);
    void task.finally(() => this.running.delete(task));
  }
}

const heldKey = (org: string, channel: string, session: string): string =>
  `${org}\0${channel}\0${session}`;

const closedError = (): EngineUnavailableError => new EngineUnavailableError('presence', 'closed');

/** Runs a handler; one that throws is the node's bug, reported but not let stop the beat. */
function notify(handlers: ExpiryHandlers, call: () => void): void {
  try {
    call();
  } catch (err) {
    report(handlers, err);
  }
}

function report(handlers: ExpiryHandlers, err: unknown): void {
  try {
    handlers.onError?.(err);
  } catch {
    // Nowhere left to report to.
  }
}

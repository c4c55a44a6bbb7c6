/**
 * `RedisPresence` nodes in one process against a real redis-server (STYLE rule 17), with what
 * their heartbeats report made awaitable: tests wait for reports, not for time.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { PresenceMember } from '@hubcast/protocol';
import { Redis } from 'ioredis';
import type { PresenceChange } from '../../src/presence/presence.js';
import { RedisPresence } from '../../src/presence/redis.js';

/** A list that grows as a heartbeat reports, and can be awaited to reach a state. */
export class Reports<T> {
  readonly items: T[] = [];
  private waiters: (() => void)[] = [];

  push(items: readonly T[]): void {
    this.items.push(...items);
    for (const wake of this.waiters.splice(0)) wake();
  }

  async until(isDone: (items: readonly T[]) => boolean): Promise<void> {
    while (!isDone(this.items)) await new Promise<void>((wake) => this.waiters.push(wake));
  }
}

export interface PresenceNode {
  presence: RedisPresence;
  expired: Reports<PresenceChange>;
  restored: Reports<PresenceChange>;
  errors: Reports<unknown>;
}

export interface PresenceNodeOptions {
  prefix: string;
  nodeId?: string;
  /** 300 unless given: a crashed node's members leave within about half a second. */
  nodeTtlMs?: number;
  commandTimeoutMs?: number;
}

/** Opens heartbeating nodes on one server; `closeAll()` in afterEach. */
export class PresenceNodes {
  private readonly open: RedisPresence[] = [];
  private readonly templates: Redis[] = [];

  constructor(private readonly url: () => string) {}

  async start(options: PresenceNodeOptions): Promise<PresenceNode> {
    const presence = this.create(options);
    const node: PresenceNode = {
      presence,
      expired: new Reports(),
      restored: new Reports(),
      errors: new Reports(),
    };
    await presence.startHeartbeat({
      onExpired: (left) => node.expired.push(left),
      onRestored: (joined) => node.restored.push(joined),
      onError: (err) => node.errors.push([err]),
    });
    return node;
  }

  /** A presence that does not beat (so it never reaps): for reading only. */
  create(options: PresenceNodeOptions): RedisPresence {
    // The node's client as node.ts would have it; lazy, so the template itself never
    // connects. A 50 ms reconnect backoff keeps the outage cases short.
    const template = new Redis(this.url(), { lazyConnect: true, retryStrategy: () => 50 });
    this.templates.push(template);
    const presence = new RedisPresence({
      redis: template,
      prefix: options.prefix,
      nodeId: options.nodeId ?? 'node',
      nodeTtlMs: options.nodeTtlMs ?? 300,
      ...(options.commandTimeoutMs === undefined
        ? {}
        : { commandTimeoutMs: options.commandTimeoutMs }),
    });
    this.open.push(presence);
    return presence;
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.open.splice(0).map((p) => p.close()));
    for (const t of this.templates.splice(0)) t.disconnect();
  }

  /** Every key under `prefix`, to check what stays behind in Redis. */
  async keysUnder(prefix: string): Promise<string[]> {
    const reader = new Redis(this.url());
    try {
      return (await reader.keys(`${prefix}:*`)).sort();
    } finally {
      reader.disconnect();
    }
  }
}

export const freshPrefix = (): string => `t${randomBytes(4).toString('hex')}`;

/** Members with sorted devices, sorted by user: a stable shape to compare. */
export const sortedMembers = (members: readonly PresenceMember[]): PresenceMember[] =>
  [...members]
    .map((m) => ({ ...m, devices: [...m.devices].sort() }))
    .sort((a, b) => (a.user < b.user ? -1 : 1));

/** `channel/user` of each change, sorted. */
export const usersOf = (changes: readonly PresenceChange[]): string[] =>
  changes.map((c) => `${c.channel}/${c.user}`).sort();

/** Retries `attempt` until it succeeds: only for what no event announces (a deadline passing). */
export async function eventually<T>(attempt: () => Promise<T>, timeoutMs = 5000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (err) {
      if (performance.now() > deadline) throw err;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Rejects if `promise` has not settled within `ms`: the bound an outage must be reported in. */
export function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not settled within ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/**
 * The follow-up relay on a real memory store: a follow-up whose planning keeps failing backs off
 * and is dropped after the claim cap without holding up the others, and a hung planner fails its
 * follow-up within the time limit instead of stalling the pass. The lease clock is injected.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { FollowUp } from '../store/follow-up-store.js';
import { MemoryStore } from '../store/memory.js';
import { SqliteStore } from '../store/sqlite.js';
import { FollowUpRelay, followUpRetryMs, type FollowUpPlanner } from './notification-follow-ups.js';

const relays: FollowUpRelay[] = [];
afterEach(async () => {
  await Promise.all(relays.splice(0).map((r) => r.stop()));
});

/** Plans nothing for a good follow-up, rejects a poisoned one, never answers a hung one. */
function plannerOf(planned: string[], claimsOfPoison: number[]): FollowUpPlanner {
  return {
    pushes: (f: FollowUp) => {
      if (f.data === 'poison') {
        claimsOfPoison.push(f.claims);
        return Promise.reject(new Error('presence down'));
      }
      if (f.data === 'hung') return new Promise(() => undefined);
      planned.push(JSON.stringify(f.data));
      return Promise.resolve([]);
    },
    webhooks: () => Promise.resolve([]),
    queued: () => undefined,
  };
}

async function droppedCount(registry: Registry): Promise<number> {
  const metric = registry.getSingleMetric('hubcast_notification_follow_ups_dropped_total');
  return (await metric?.get())?.values[0]?.value ?? 0;
}

describe('FollowUpRelay', () => {
  it('backs a failing follow-up off and drops it at the cap, while others go through', async () => {
    const store = new MemoryStore();
    // More poisoned follow-ups than a batch, all older than the good one.
    for (let i = 0; i < 150; i++)
      await store.notifications.create('acme', {
        users: ['ann'],
        notification: { kind: 'k', title: `p${i}` },
        followUp: 'poison',
      });
    await store.notifications.create('acme', {
      users: ['bob'],
      notification: { kind: 'k', title: 'good' },
      followUp: 'good',
    });
    let nowMs = 1_000_000;
    const planned: string[] = [];
    const claims: number[] = [];
    const registry = new Registry();
    const relay = new FollowUpRelay({
      store: () => store.followUps,
      planner: plannerOf(planned, claims),
      logger: pino({ level: 'silent' }),
      now: () => nowMs,
      pollMs: 60_000,
      maxClaims: 5,
      registry,
    });
    relays.push(relay);
    relay.start();
    await relay.flush();
    expect(planned).toEqual(['"good"']);
    expect(await store.followUps.count()).toBe(150);
    // Backing off: a pass before the retry time claims none of them.
    const tried = claims.length;
    nowMs += followUpRetryMs(1, 1000) - 1;
    await relay.flush();
    expect(claims).toHaveLength(tried);
    for (let claim = 2; claim <= 5; claim++) {
      nowMs += followUpRetryMs(claim - 1, 1000);
      await relay.flush();
      expect(claims.filter((c) => c === claim)).toHaveLength(150);
    }
    expect(await store.followUps.count()).toBe(0);
    expect(await droppedCount(registry)).toBe(150);
  });

  it('fails a follow-up whose planning hangs, so the pass and stop() end', async () => {
    const store = new MemoryStore();
    for (const data of ['hung', 'good'])
      await store.notifications.create('acme', {
        users: ['ann'],
        notification: { kind: 'k', title: data },
        followUp: data,
      });
    const planned: string[] = [];
    const relay = new FollowUpRelay({
      store: () => store.followUps,
      planner: plannerOf(planned, []),
      logger: pino({ level: 'silent' }),
      planTimeoutMs: 50,
    });
    relay.start();
    await relay.flush();
    expect(planned).toEqual(['"good"']);
    expect(await store.followUps.count()).toBe(1);
    await relay.stop();
  });

  it('backs off a follow-up whose stored row does not read and completes the next one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hubcast-follow-up-relay-'));
    const path = join(dir, 'store.db');
    const store = await SqliteStore.open({ path });
    try {
      for (const data of ['bad', 'good'])
        await store.notifications.create('acme', {
          users: ['ann'],
          notification: { kind: 'k', title: data },
          followUp: data,
        });
      const raw = new Database(path);
      raw.prepare("UPDATE notification_follow_ups SET data = '{bad' WHERE id = 1").run();
      raw.close();
      let nowMs = 1_000_000;
      const planned: string[] = [];
      const relay = new FollowUpRelay({
        store: () => store.followUps,
        planner: plannerOf(planned, []),
        logger: pino({ level: 'silent' }),
        now: () => nowMs,
        pollMs: 60_000,
        maxClaims: 2,
      });
      relays.push(relay);
      relay.start();
      await relay.flush();
      expect(planned).toEqual(['"good"']);
      expect(await store.followUps.count()).toBe(1);
      nowMs += followUpRetryMs(1, 1000);
      await relay.flush();
      expect(await store.followUps.count()).toBe(0);
      expect(planned).toEqual(['"good"']);
      await relay.stop();
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('doubles the backoff per claim up to ten minutes', () => {
    expect([1, 2, 3, 10, 11, 40].map((c) => followUpRetryMs(c, 1000))).toEqual([
      1000, 2000, 4000, 512_000, 600_000, 600_000,
    ]);
  });
});

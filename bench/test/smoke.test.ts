/**
 * The CI check of the issue: `hubcast bench --smoke` runs every scenario tiny against every
 * target, through the real CLI, and every event reaches every connection exactly once (in
 * `storm`, across a restart, on hubcast; the peers have no resume), and every acknowledged
 * `durable` publish is in hubcast's log once. Speed is never asserted.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BenchRun } from '../src/results.js';

const CLI = fileURLToPath(new URL('../../packages/server/bin/hubcast.js', import.meta.url));
/** The scenarios every target must pass exactly once; `storm` and `durable` have tests below. */
const SCENARIOS = ['M1', 'M2', 'M3', 'M4', 'M6', 'M8', 'M9', 'rooms'];
const TARGETS = ['hubcast', 'ws', 'socketio'];

describe('hubcast bench --smoke', () => {
  let out: string;
  let code: number | null;
  let stderr = '';
  let run: BenchRun;

  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'hubcast-bench-'));
    code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, [CLI, 'bench', '--smoke', '--out', out], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('error', reject);
      child.on('exit', (c) => resolve(c));
    });
    const json = (await readdir(out)).find((f) => f.startsWith('smoke-') && f.endsWith('.json'));
    if (json !== undefined) run = JSON.parse(await readFile(join(out, json), 'utf8')) as BenchRun;
  }, 110_000);

  afterAll(async () => {
    await rm(out, { recursive: true, force: true });
  });

  it('exits 0 and writes the JSON and HTML report', async () => {
    expect(stderr).not.toMatch(/FAILED/);
    expect(code).toBe(0);
    const files = await readdir(out);
    expect(
      files
        .filter((f) => f.startsWith('smoke-'))
        .map((f) => f.split('.').pop())
        .sort(),
    ).toEqual(['html', 'json']);
    expect(run.smoke).toBe(true);
  });

  it.each(SCENARIOS)('%s has figures for every target, each event delivered exactly once', (id) => {
    const sc = run.scenarios.find((s) => s.id === id);
    expect(sc).toBeDefined();
    expect(sc?.targets.map((t) => t.target).sort()).toEqual([...TARGETS].sort());
    for (const t of sc?.targets ?? []) {
      expect({ target: t.target, lost: t.lost, duplicated: t.duplicated }).toEqual({
        target: t.target,
        lost: 0,
        duplicated: 0,
      });
      // RSS moves by pages, too coarse for 60 connections: M1's heap figure must be positive.
      const metric = id === 'M1' ? 'heapPerConnBytes' : (sc?.headline.metric ?? '');
      const value = t.median[metric];
      expect(Number.isFinite(value), `${id} ${t.target} ${metric}`).toBe(true);
      if (id !== 'M8') expect(value, `${id} ${t.target} ${metric}`).toBeGreaterThan(0);
    }
  });

  it('hubcast closes every slow consumer (M8), the peers none', () => {
    const m8 = run.scenarios.find((s) => s.id === 'M8');
    const figures = (name: string) => m8?.targets.find((t) => t.target === name)?.median ?? {};
    expect(figures('hubcast')['slowConnections']).toBeGreaterThan(0);
    expect(figures('hubcast')['slowClosed']).toBe(figures('hubcast')['slowConnections']);
    expect(figures('ws')['slowClosed']).toBe(0);
  });

  it('every connection connected (M9)', () => {
    const m9 = run.scenarios.find((s) => s.id === 'M9');
    for (const t of m9?.targets ?? []) {
      expect(t.median['connections']).toBe(run.settings['connections']);
      expect(t.median['failed']).toBe(0);
    }
  });

  it('rooms: clients published every message and each reached its room and no other', () => {
    const rooms = run.scenarios.find((s) => s.id === 'rooms');
    const settings = run.settings;
    const messages = Number(settings['roomsRatePerSec']) * Number(settings['roomsDurationSec']);
    const perRoom =
      (Number(settings['roomsUsers']) * Number(settings['roomsPerUser'])) /
      Number(settings['roomsRooms']);
    for (const t of rooms?.targets ?? []) {
      expect({ target: t.target, ...t.median }).toMatchObject({
        target: t.target,
        connections: Number(settings['roomsUsers']) * Number(settings['roomsDevices']),
        failed: 0,
        published: messages,
        unsent: 0,
        stray: 0,
        refused: 0,
      });
      // Exactly once: every member connection of a room got every message of that room.
      expect(t.latency?.count).toBe(messages * perRoom * Number(settings['roomsDevices']));
    }
  });

  it('storm: hubcast resumed every client, nothing lost, repeated or reset; every client came back', () => {
    const storm = run.scenarios.find((s) => s.id === 'storm');
    expect(storm?.targets.map((t) => t.target).sort()).toEqual([...TARGETS].sort());
    expect(storm?.lossExpected).toEqual(['ws', 'socketio']);
    const clients = Number(run.settings['connections']);
    for (const t of storm?.targets ?? []) {
      expect({ target: t.target, ...t.median }).toMatchObject({
        target: t.target,
        connections: clients,
        failed: 0,
        failedReconnects: 0,
        rejected: 0,
      });
      expect(t.median['recoveryMs'], t.target).toBeGreaterThan(0);
    }
    const hub = storm?.targets.find((t) => t.target === 'hubcast');
    expect({ lost: hub?.lost, duplicated: hub?.duplicated, resets: hub?.median['resets'] }).toEqual(
      {
        lost: 0,
        duplicated: 0,
        resets: 0,
      },
    );
    // Exactly once: every client has every event published, the restart's included.
    expect(hub?.median['deliveries']).toBe(clients * Number(hub?.median['published']));
    expect(hub?.median['published']).toBeGreaterThan(0);
  });

  it('durable: both logs measured, every acknowledged publish in the log once, and their ratio', () => {
    const durable = run.scenarios.find((s) => s.id === 'durable');
    expect(durable?.targets.map((t) => [t.target, t.variant])).toEqual([
      ['hubcast', 'sqlite'],
      ['hubcast', 'memory'],
    ]);
    for (const t of durable?.targets ?? []) {
      expect({ variant: t.variant, lost: t.lost, duplicated: t.duplicated }).toEqual({
        variant: t.variant,
        lost: 0,
        duplicated: 0,
      });
      expect(t.median['errors']).toBe(0);
      expect(t.median['publishesPerSec']).toBeGreaterThan(0);
      expect(t.median['eventsInLog']).toBeGreaterThan(0);
    }
    const [ratio] = run.variantRatios?.['durable'] ?? [];
    expect(ratio).toMatchObject({ numerator: 'sqlite', denominator: 'memory' });
    expect(ratio?.ratio).toBeGreaterThan(0);
  });
});

/**
 * The CI check of the issue: `hubcast bench --smoke` runs every scenario tiny against every
 * target, through the real CLI, and every event reaches every connection exactly once.
 * Speed is never asserted.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BenchRun } from '../src/results.js';

const CLI = fileURLToPath(new URL('../../packages/server/bin/hubcast.js', import.meta.url));
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
});

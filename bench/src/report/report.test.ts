import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { BenchRun, LatencySummary, TargetFigures, TargetName } from '../results.js';
import { escapeHtml, formatBytes, formatMs, formatValue, humanizeMetric } from './format.js';
import { checkGoal, formatRatioAgainst } from './goals.js';
import { evaluateGoals, renderReportHtml, writeReport } from './index.js';

/** Three rounds around a median (high, median, low), as an interleaved run produces them. */
function rounds(median: Record<string, number>): Record<string, number>[] {
  return [1.03, 1, 0.96].map((f) =>
    Object.fromEntries(Object.entries(median).map(([k, v]) => [k, v * f])),
  );
}

function latency(p50: number, p90: number, p99: number, p999: number, max: number): LatencySummary {
  return { count: 10_000, p1: p50 / 10, p50, p90, p99, p999, max };
}

function figures(
  target: TargetName,
  median: Record<string, number>,
  extra: Partial<TargetFigures> = {},
): TargetFigures {
  return {
    target,
    rounds: rounds(median),
    median,
    lost: 0,
    duplicated: 0,
    generatorCpu: 0.42,
    targetCpu: 0.97,
    generatorBound: false,
    ...extra,
  };
}

/**
 * A full run as the load generator writes it. Ratios sit just inside and just outside their
 * goals in both directions: M1/ws 1.29 (≤ 1.3, pass), M1/socketio 0.56 (≤ 0.55, fail),
 * M2/ws exactly 1.1 (pass), M3/ws 1.01 (≥ 1.0, pass), M3/socketio 1.59 (≥ 1.6, fail),
 * M4/ws 7.95 (≥ 8, fail); M6/socketio is missing (Socket.IO lost deliveries there).
 */
export function fixtureRun(): BenchRun {
  return {
    runId: '2026-11-23T12-40-05Z',
    startedAt: '2026-11-23T12:40:05.120Z',
    finishedAt: '2026-11-23T12:49:47.884Z',
    smoke: false,
    machine: {
      cpus: 16,
      cpuModel: 'AMD EPYC 7B13 64-Core Processor',
      memoryBytes: 64 * 1024 ** 3,
      node: 'v20.20.2',
      platform: 'linux x64',
    },
    settings: {
      connections: 10_000,
      rounds: 3,
      payloadBytes: 100,
      engine: 'embedded',
      codec: 'json',
      generatorWorkers: 4,
      sourceAddresses: '127.0.0.2-127.0.0.4',
      m6DurationSec: 30,
      gcBeforeMemory: true,
    },
    scenarios: [
      {
        id: 'M1',
        title: 'Memory per idle subscribed connection',
        connections: 10_000,
        payloadBytes: 100,
        headline: { metric: 'rssPerConnBytes', unit: 'bytes', betterIs: 'lower' },
        targets: [
          figures('hubcast', { rssPerConnBytes: 8514, heapPerConnBytes: 3920 }),
          figures('ws', { rssPerConnBytes: 6600, heapPerConnBytes: 2310 }),
          figures('socketio', { rssPerConnBytes: 15_204, heapPerConnBytes: 9840 }),
        ],
      },
      {
        id: 'M2',
        title: 'One isolated publish: time to the last of N deliveries',
        connections: 10_000,
        payloadBytes: 100,
        headline: { metric: 'timeToLastMs', unit: 'ms', betterIs: 'lower' },
        targets: [
          figures(
            'hubcast',
            { timeToLastMs: 14.3, p99Ms: 13.9 },
            {
              latency: latency(6.2, 11.8, 13.9, 14.2, 14.3),
              notes: ['Published through POST /v1/events; <script>alert(1)</script> & friends'],
            },
          ),
          figures(
            'ws',
            { timeToLastMs: 13, p99Ms: 12.6 },
            {
              latency: latency(5.9, 10.7, 12.6, 12.9, 13),
              notes: ['hub loops over clients calling send'],
            },
          ),
          figures(
            'socketio',
            { timeToLastMs: 23.06, p99Ms: 22.1 },
            { latency: latency(10.4, 18.9, 22.1, 22.8, 23.06) },
          ),
        ],
      },
      {
        id: 'M3',
        title: '20 publishes back to back, one per event-loop turn',
        connections: 10_000,
        payloadBytes: 100,
        headline: { metric: 'deliveriesPerSec', unit: 'deliveries/s', betterIs: 'higher' },
        targets: [
          figures(
            'hubcast',
            { deliveriesPerSec: 1_030_200, timeToLastMs: 194 },
            { latency: latency(88, 161, 187, 192, 194), generatorCpu: 2.1, targetCpu: 1 },
          ),
          figures(
            'ws',
            { deliveriesPerSec: 1_020_000, timeToLastMs: 196 },
            { latency: latency(91, 163, 190, 195, 196), generatorCpu: 2.05, targetCpu: 1 },
          ),
          figures(
            'socketio',
            { deliveriesPerSec: 647_925, timeToLastMs: 309 },
            { latency: latency(150, 262, 301, 307, 309), generatorCpu: 1.3, targetCpu: 1 },
          ),
        ],
      },
      {
        id: 'M4',
        title: '20 publishes inside one flush window',
        connections: 10_000,
        payloadBytes: 100,
        headline: { metric: 'deliveriesPerSec', unit: 'deliveries/s', betterIs: 'higher' },
        targets: [
          figures(
            'hubcast',
            { deliveriesPerSec: 1_749_000, cpuPerDeliveryUs: 0.55, framesPerSocket: 1 },
            {
              generatorCpu: 3.92,
              targetCpu: 0.96,
              generatorBound: true,
              notes: ['4 generator workers at 98% each'],
            },
          ),
          figures('ws', { deliveriesPerSec: 220_000, cpuPerDeliveryUs: 4.4, framesPerSocket: 20 }),
          figures('socketio', {
            deliveriesPerSec: 107_963,
            cpuPerDeliveryUs: 9.1,
            framesPerSocket: 20,
          }),
        ],
      },
      {
        id: 'M6',
        title: 'A fixed publish rate at half the plain ws capacity for 30 s',
        connections: 10_000,
        payloadBytes: 100,
        headline: { metric: 'p99Ms', unit: 'ms', betterIs: 'lower' },
        targets: [
          figures(
            'hubcast',
            { p99Ms: 2.1, p999Ms: 3.4, publishRatePerSec: 25, deliveriesPerSec: 250_000 },
            { latency: latency(0.83, 1.6, 2.1, 3.4, 9.8) },
          ),
          figures(
            'ws',
            { p99Ms: 2.26, p999Ms: 4.1, publishRatePerSec: 25, deliveriesPerSec: 250_000 },
            { latency: latency(0.91, 1.7, 2.26, 4.1, 12.5) },
          ),
          figures(
            'socketio',
            { p99Ms: 4.8, p999Ms: 11.2, publishRatePerSec: 25, deliveriesPerSec: 249_120 },
            {
              latency: latency(1.9, 3.5, 4.8, 11.2, 41),
              lost: 37,
              notes: ['37 deliveries missing in round 2; ratio left out'],
            },
          ),
        ],
      },
      {
        id: 'rooms',
        title: '1,000 users in 10 chat rooms, each publishing',
        connections: 5000,
        payloadBytes: 180,
        headline: { metric: 'deliveriesPerSec', unit: 'deliveries/s', betterIs: 'higher' },
        targets: [
          figures('hubcast', { deliveriesPerSec: 412_000, p99Ms: 18.5 }),
          figures('ws', { deliveriesPerSec: 228_000, p99Ms: 26 }),
          figures('socketio', { deliveriesPerSec: 129_000, p99Ms: 44 }),
        ],
      },
    ],
    ratios: {
      M1: { ws: 1.29, socketio: 0.56 },
      M2: { ws: 14.3 / 13, socketio: 0.62 },
      M3: { ws: 1.01, socketio: 1.59 },
      M4: { ws: 7.95, socketio: 16.2 },
      M6: { ws: 0.93 },
      rooms: { ws: 1.81, socketio: 3.19 },
    },
  };
}

/** The HTML of one scenario's section. */
function section(html: string, id: string): string {
  const start = html.indexOf(`data-scenario="${id}"`);
  expect(start).toBeGreaterThan(0);
  const end = html.indexOf('<section', start);
  return html.slice(start, end < 0 ? undefined : end);
}

/** The goal-table cell of one scenario and peer. */
function goalCell(html: string, key: string): { status: string; html: string } {
  const m = new RegExp(
    `<td class="goal [a-z]+" data-goal="${key}" data-status="([a-z]+)">(.*?)</td>`,
  ).exec(html);
  expect(m, `goal cell ${key}`).not.toBeNull();
  return { status: m?.[1] ?? '', html: m?.[2] ?? '' };
}

describe('renderReportHtml', () => {
  const run = fixtureRun();
  const html = renderReportHtml(run);

  it('is one self-contained page: no scripts, external fonts, stylesheets or links', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<link/i);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(html).not.toMatch(/@import|@font-face|url\(/);
    expect(html).toContain('prefers-color-scheme: dark');
  });

  it('shows the run id, date, smoke flag, machine and settings', () => {
    expect(html).toContain('2026-11-23T12-40-05Z');
    expect(html).toContain('2026-11-23 12:40:05 UTC');
    expect(html).toContain('full run');
    expect(html).toContain('took 9 min 43 s');
    expect(html).toContain('AMD EPYC 7B13 64-Core Processor');
    expect(html).toContain('64 GB');
    expect(html).toContain('v20.20.2');
    expect(html).toContain('<dt>generatorWorkers</dt><dd>4</dd>');
    const smoke = renderReportHtml({ ...run, smoke: true });
    expect(smoke).toContain('smoke run');
    expect(smoke).not.toContain('full run');
  });

  it('has a section with the id and title of every scenario', () => {
    for (const s of run.scenarios) {
      expect(html).toContain(`data-scenario="${s.id}"`);
      expect(section(html, s.id)).toContain(`<h2>${escapeHtml(s.title)}</h2>`);
    }
  });

  it('draws an <svg> per chart: the ratio chart, a bar chart per scenario, a latency chart where measured', () => {
    const withLatency = run.scenarios.filter((s) => s.targets.some((t) => t.latency)).length;
    expect(withLatency).toBe(3);
    expect(html.match(/<svg /g)).toHaveLength(1 + run.scenarios.length + withLatency);
    expect(html.match(/<svg class="chart ratio-chart"/g)).toHaveLength(1);
    for (const s of run.scenarios) {
      const part = section(html, s.id);
      expect(part).toContain('<svg class="chart bar-chart"');
      expect(part.includes('<svg class="chart percentile-chart"')).toBe(
        s.targets.some((t) => t.latency),
      );
    }
    // Bars carry value labels and one dot per round.
    const m1 = section(html, 'M1');
    expect(m1).toContain('>8.31 KB</text>');
    expect(m1.match(/<circle class="dot"/g)).toHaveLength(9);
  });

  it('colors each target the same way everywhere and has a legend', () => {
    expect(html).toMatch(/<ul class="legend"[^>]*>.*s-hubcast.*s-ws.*s-socketio/);
    for (const t of ['hubcast', 'ws', 'socketio']) {
      expect(html).toContain(`.s-${t} { --c: var(--${t}); }`);
    }
  });

  it('marks goals pass and fail just inside and just outside, in both directions', () => {
    const expected: Record<string, string> = {
      'M1/ws': 'pass', // 1.29 ≤ 1.3
      'M1/socketio': 'fail', // 0.56 > 0.55
      'M2/ws': 'pass', // 1.1000000000000001, at the bound
      'M2/socketio': 'pass',
      'M3/ws': 'pass', // 1.01 ≥ 1.0
      'M3/socketio': 'fail', // 1.59 < 1.6
      'M4/ws': 'fail', // 7.95 < 8
      'M4/socketio': 'pass', // 16.2 ≥ 15
      'M6/ws': 'pass',
      'M6/socketio': 'missing',
    };
    for (const [key, status] of Object.entries(expected)) {
      expect(goalCell(html, key).status, key).toBe(status);
    }
    expect(goalCell(html, 'M1/ws').html).toContain('1.29x');
    expect(goalCell(html, 'M1/ws').html).toContain('✓ pass');
    expect(goalCell(html, 'M1/ws').html).toContain('goal ≤ 1.3x');
    expect(goalCell(html, 'M3/socketio').html).toContain('✗ fail');
    expect(goalCell(html, 'M3/socketio').html).toContain('goal ≥ 1.6x');
    expect(html).toContain('✓ 6 met');
    expect(html).toContain('✗ 3 missed');
  });

  it('shows "—" for a missing ratio, never a fail', () => {
    const cell = goalCell(html, 'M6/socketio');
    expect(cell.html).toContain('<span class="ratio">—</span>');
    expect(cell.html).not.toContain('fail');
    const none = renderReportHtml({ ...run, ratios: {} });
    for (const c of evaluateGoals({ ...run, ratios: {} })) {
      expect(goalCell(none, `${c.scenario}/${c.peer}`).status).toBe('missing');
    }
    expect(none).toContain('✗ 0 missed');
    // 10 peer cells and the 4 ratios within hubcast (SQLite / memory, issue 11's three).
    expect(none).toContain('— 14 no data');
  });

  it('warns where the load generator was the bottleneck, and only there', () => {
    const warning = 'the load generator was the bottleneck: figures understate the target';
    expect(section(html, 'M4')).toContain(warning);
    expect(section(html, 'M4')).toMatch(/<strong>hubcast<\/strong> \(generator CPU 392%\)/);
    for (const id of ['M1', 'M2', 'M3', 'M6', 'rooms']) {
      expect(section(html, id)).not.toContain(warning);
    }
  });

  it('flags lost deliveries in red', () => {
    const m6 = section(html, 'M6');
    expect(m6).toContain('<td class="bad">37</td>');
    expect(m6).toContain('<strong>Socket.IO</strong> lost 37 and duplicated 0');
    expect(section(html, 'M1')).not.toContain('class="bad"');
  });

  it('has a table of every median metric per target, numbers formatted for humans', () => {
    const m4 = section(html, 'M4');
    for (const key of ['deliveriesPerSec', 'cpuPerDeliveryUs', 'framesPerSocket']) {
      expect(m4).toContain(`<span class="key mono">${key}</span>`);
    }
    expect(m4).toContain('<td class="best">1.75M/s</td>');
    expect(m4).toContain('<td>220K/s</td>');
    expect(m4).toContain('<td>0.55 µs</td>');
    expect(section(html, 'M6')).toContain('<td class="best">2.1 ms</td>');
  });

  it('escapes every text it puts in the page', () => {
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; friends');
    const hostile = fixtureRun();
    hostile.runId = 'x"><img src=x onerror=alert(1)>';
    hostile.settings = { '<b>key</b>': '<i>v</i>' };
    const first = hostile.scenarios[0];
    if (first) {
      first.id = '<M1>';
      first.title = 'a <b>bold</b> & "quoted" title';
      first.headline.metric = 'rss<svg>';
    }
    const out = renderReportHtml(hostile);
    expect(out).not.toMatch(/<img|<b>key|<i>v|<M1>|rss<svg>|<b>bold/);
    expect(out).toContain('&lt;b&gt;key&lt;/b&gt;');
    expect(out).toContain('a &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quoted&quot; title');
  });

  it('renders a run with no scenarios or figures without throwing', () => {
    const empty: BenchRun = { ...run, scenarios: [], ratios: {}, settings: {} };
    expect(renderReportHtml(empty)).toContain('The goal');
    const bare = fixtureRun();
    for (const s of bare.scenarios) {
      for (const t of s.targets) {
        t.rounds = [];
        t.median = {};
        delete t.latency;
      }
    }
    expect(renderReportHtml(bare)).toContain('— no data');
  });
});

/** `durable` (two hubcast logs) and `storm` (the peers lose, as expected) added to the fixture. */
function variantRun(ratio: number | undefined): BenchRun {
  const run = fixtureRun();
  run.scenarios.push(
    {
      id: 'durable',
      title: 'Durable publishes/s through the HTTP API',
      connections: 64,
      payloadBytes: 100,
      headline: { metric: 'publishesPerSec', unit: 'publishes/s', betterIs: 'higher' },
      targets: [
        figures('hubcast', { publishesPerSec: 21_000, errors: 0 }, { variant: 'sqlite' }),
        figures('hubcast', { publishesPerSec: 24_000, errors: 0 }, { variant: 'memory' }),
      ],
    },
    {
      id: 'storm',
      title: 'The server restarted under its clients',
      connections: 10_000,
      payloadBytes: 100,
      headline: { metric: 'recoveryMs', unit: 'ms', betterIs: 'lower' },
      targets: [
        figures('hubcast', { recoveryMs: 11_200, resets: 0 }),
        figures('ws', { recoveryMs: 2100 }, { lost: 4321 }),
        figures('socketio', { recoveryMs: 3900 }, { lost: 5000, duplicated: 2 }),
      ],
      lossExpected: ['ws', 'socketio'],
    },
  );
  if (ratio !== undefined)
    run.variantRatios = { durable: [{ numerator: 'sqlite', denominator: 'memory', ratio }] };
  return run;
}

/** The goal-table cell of a ratio within hubcast: it spans both peer columns. */
function variantCell(html: string): { status: string; html: string } {
  const m =
    /<td class="goal [a-z]+" colspan="2" data-goal="durable\/sqlite:memory" data-status="([a-z]+)">(.*?)<\/td>/.exec(
      html,
    );
  expect(m, 'durable goal cell').not.toBeNull();
  return { status: m?.[1] ?? '', html: m?.[2] ?? '' };
}

describe('a scenario of hubcast variants (durable), and expected losses (storm)', () => {
  it.each([
    [0.875, 'pass', '0.88x'],
    [0.5, 'pass', '0.50x'], // at the bound
    [0.4996, 'fail', '0.4996x'], // just outside: printed so it does not look like 0.50
    [undefined, 'missing', '—'],
  ])('SQLite / memory %s is a goal row of its own: %s', (ratio, status, text) => {
    const html = renderReportHtml(variantRun(ratio));
    const cell = variantCell(html);
    expect(cell.status).toBe(status);
    expect(cell.html).toContain('goal ≥ 0.5x');
    expect(cell.html).toContain(`<span class="ratio">${text}</span>`);
    expect(html).toContain('durable publishes/s, SQLite log / memory log');
  });

  it('shows each variant as its own bar and column, and the ratio as a pill', () => {
    const part = section(renderReportHtml(variantRun(0.875)), 'durable');
    expect(part).toContain('hubcast · sqlite');
    expect(part).toContain('hubcast · memory');
    expect(part).toContain('s-hubcast-alt1'); // the second variant takes a lighter shade
    expect(part).toContain('>21K/s</text>');
    expect(part).toContain('>24K/s</text>');
    expect(part).toContain('sqlite / memory: 0.88x · goal ≥ 0.5x ✓');
  });

  it('reports losses a scenario expects of the peers without calling them failures', () => {
    const html = renderReportHtml(variantRun(0.875));
    const tocPill = (page: string): string =>
      /<a href="#scenario-storm"><span class="pill">.*?<\/span><\/a>/.exec(page)?.[0] ?? '';
    expect(tocPill(html)).toContain('<b>storm</b>');
    expect(tocPill(html)).not.toContain('class="fail"');
    const part = section(html, 'storm');
    expect(part).not.toContain('every event must arrive exactly once');
    expect(part).toContain('<strong>ws</strong> lost 4,321 and duplicated 0');
    expect(part).toContain('expected here, they have no resume');
    expect(part).toContain('<td class="warn">4,321</td>');
    expect(part).not.toContain('class="bad"');
    // The same losses on a target the scenario does not excuse are a failure.
    const strict = variantRun(0.875);
    delete strict.scenarios[strict.scenarios.length - 1]?.lossExpected;
    const strictHtml = renderReportHtml(strict);
    expect(tocPill(strictHtml)).toContain('class="fail"');
    const failing = section(strictHtml, 'storm');
    expect(failing).toContain('every event must arrive exactly once');
    expect(failing).toContain('<td class="bad">4,321</td>');
  });
});

describe('the Redis engine next to the embedded one (issue 11)', () => {
  function redisRun(ratio: number): BenchRun {
    const run = fixtureRun();
    const m2 = run.scenarios.find((s) => s.id === 'M2');
    const hubcast = m2?.targets.find((t) => t.target === 'hubcast');
    if (m2 === undefined || hubcast === undefined) throw new Error('fixture has no M2 hubcast');
    const redis = { ...hubcast, variant: 'redis', median: { ...hubcast.median } };
    redis.median['timeToLastMs'] = (hubcast.median['timeToLastMs'] ?? 0) * ratio;
    m2.targets.splice(m2.targets.indexOf(hubcast) + 1, 0, redis);
    run.variantRatios = { M2: [{ numerator: 'redis', denominator: 'embedded', ratio }] };
    return run;
  }
  const cell = (html: string): string =>
    /<td class="goal [a-z]+" colspan="2" data-goal="M2\/redis:embedded" data-status="([a-z]+)">/.exec(
      html,
    )?.[1] ?? '';

  it.each([
    [1.2, 'pass'], // at the bound
    [1.21, 'fail'],
  ])('M2 redis / embedded %s is a goal row: %s', (ratio, status) => {
    const html = renderReportHtml(redisRun(ratio));
    expect(cell(html)).toBe(status);
    expect(html).toContain('M2 time to the last client, Redis engine / embedded');
  });

  it('draws the Redis engine as hubcast in a lighter shade, beside the peers', () => {
    const part = section(renderReportHtml(redisRun(1.1)), 'M2');
    expect(part).toContain('hubcast · redis');
    expect(part).toContain('s-hubcast-alt1');
    expect(part).toContain('redis / embedded: 1.10x · goal ≤ 1.2x ✓');
    expect(part).toContain('hubcast vs ws'); // the peers' ratios stay the embedded engine's
  });
});

describe('goals', () => {
  it('are inclusive bounds, with float slack', () => {
    expect(checkGoal(1.3, { op: '<=', value: 1.3 })).toBe('pass');
    expect(checkGoal(1.3000000000000003, { op: '<=', value: 1.3 })).toBe('pass');
    expect(checkGoal(1.3001, { op: '<=', value: 1.3 })).toBe('fail');
    expect(checkGoal(8, { op: '>=', value: 8 })).toBe('pass');
    expect(checkGoal(7.999, { op: '>=', value: 8 })).toBe('fail');
    expect(checkGoal(undefined, { op: '>=', value: 8 })).toBe('missing');
    expect(checkGoal(Number.NaN, { op: '<=', value: 1 })).toBe('missing');
  });

  it('print a ratio with the decimals that keep it on the right side of its bound', () => {
    expect(formatRatioAgainst(1.3004, { op: '<=', value: 1.3 })).toBe('1.3004x');
    expect(formatRatioAgainst(1.2999, { op: '<=', value: 1.3 })).toBe('1.30x');
    expect(formatRatioAgainst(7.996, { op: '>=', value: 8 })).toBe('7.996x');
    expect(formatRatioAgainst(16.24, { op: '>=', value: 15 })).toBe('16.2x');
  });
});

describe('format', () => {
  it('prints figures for humans', () => {
    expect(formatValue(1_234_567, { kind: 'rate' })).toBe('1.23M/s');
    expect(formatValue(1_200_000, { kind: 'rate' })).toBe('1.2M/s');
    expect(formatValue(999_990, { kind: 'rate' })).toBe('1M/s');
    expect(formatBytes(6554)).toBe('6.4 KB');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatMs(0.83)).toBe('0.83 ms');
    expect(formatMs(0.0083)).toBe('8.3 µs');
    expect(formatMs(0.0137)).toBe('13.7 µs'); // not 0.014 ms
    expect(formatMs(2500)).toBe('2.5 s');
    expect(formatValue(10_000, { kind: 'count' })).toBe('10,000');
    expect(formatValue(undefined, { kind: 'count' })).toBe('—');
    expect(humanizeMetric('rssPerConnBytes')).toBe('RSS per conn');
    expect(humanizeMetric('deliveriesPerSec')).toBe('Deliveries/s');
    expect(humanizeMetric('p999Ms')).toBe('p99.9');
  });
});

describe('writeReport', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('writes the run JSON and HTML and refreshes latest.*, creating the directory', async () => {
    dir = await mkdtemp(join(tmpdir(), 'hubcast-report-'));
    const out = join(dir, 'bench', 'results');
    const run = fixtureRun();
    const paths = await writeReport(run, out);
    expect(paths).toEqual({
      jsonPath: join(out, `${run.runId}.json`),
      htmlPath: join(out, `${run.runId}.html`),
    });
    expect((await readdir(out)).sort()).toEqual(
      [`${run.runId}.html`, `${run.runId}.json`, 'latest.html', 'latest.json'].sort(),
    );
    const json = await readFile(paths.jsonPath, 'utf8');
    expect(JSON.parse(json)).toEqual(run);
    expect(json).toContain('\n  "runId": ');
    expect(await readFile(join(out, 'latest.json'), 'utf8')).toBe(json);
    const html = await readFile(paths.htmlPath, 'utf8');
    expect(html).toBe(renderReportHtml(run));
    expect(await readFile(join(out, 'latest.html'), 'utf8')).toBe(html);

    const next = { ...fixtureRun(), runId: 'next-run', smoke: true };
    await writeReport(next, out);
    expect(JSON.parse(await readFile(join(out, 'latest.json'), 'utf8'))).toEqual(next);
    expect(await readFile(join(out, 'latest.html'), 'utf8')).toContain('next-run');
    expect(await readFile(paths.jsonPath, 'utf8')).toBe(json);
    expect((await readdir(out)).length).toBe(6);
  });

  it('refuses a run id that cannot be a file name', async () => {
    dir = await mkdtemp(join(tmpdir(), 'hubcast-report-'));
    for (const runId of ['../escape', 'a/b', '', 'latest', '..']) {
      await expect(writeReport({ ...fixtureRun(), runId }, dir)).rejects.toThrow(/run id/);
    }
    expect(await readdir(dir)).toEqual([]);
  });
});

import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { EngineUnavailableError } from './engine-error.js';
import { EngineProbe } from './readiness.js';

interface LogLine {
  level: number;
  msg: string;
  engine?: string;
  reason?: string;
  err?: { message: string };
}

const WARN = 40;
const INFO = 30;

/** A probe whose log lines land in `lines`. */
function probeWithLog(): { probe: EngineProbe; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = pino(
    { level: 'info', base: undefined },
    { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) },
  );
  return { probe: new EngineProbe(logger), lines };
}

const ok = (): Promise<void> => Promise.resolve();
const failing = (err: Error) => (): Promise<void> => Promise.reject(err);

/** What better-sqlite3 throws on a full disk, with a path in its words. */
const sqliteFull = Object.assign(
  new Error('database or disk is full: /srv/secret-path/events.db'),
  {
    code: 'SQLITE_FULL',
  },
);
const logFull = new EngineUnavailableError('log', sqliteFull.message, { cause: sqliteFull });
const pgRefused = Object.assign(new Error('connect ECONNREFUSED 10.1.2.3:5432'), {
  code: 'ECONNREFUSED',
});
const storeAway = new EngineUnavailableError('store', pgRefused.message, { cause: pgRefused });

describe('EngineProbe.check', () => {
  it('is ready when every engine answers', async () => {
    const { probe, lines } = probeWithLog();
    expect(await probe.check({ log: ok, store: ok })).toEqual({ status: 'ready' });
    expect(lines).toEqual([]);
  });

  it.each<[label: string, checks: Record<string, () => Promise<void>>, reasons: object]>([
    ['a full disk under the log', { log: failing(logFull), store: ok }, { log: 'disk_full' }],
    ['an unreachable store', { log: ok, store: failing(storeAway) }, { store: 'unreachable' }],
    [
      'both',
      { log: failing(logFull), store: failing(storeAway) },
      { log: 'disk_full', store: 'unreachable' },
    ],
    [
      'a code the engine chose',
      {
        log: failing(new EngineUnavailableError('log', 'another node writes', { code: 'locked' })),
      },
      { log: 'locked' },
    ],
    // not an outage the engine recognised: still named by its part, never by its words
    [
      'any other failure',
      { store: failing(new Error('SELECT * FROM secret_table')) },
      { store: 'error' },
    ],
    [
      'a throw before the promise',
      {
        log: () => {
          throw new Error('/srv/x');
        },
      },
      { log: 'error' },
    ],
  ])('answers a reason code per engine: %s', async (_label, checks, reasons) => {
    const { probe } = probeWithLog();
    const answer = await probe.check(checks);
    expect(answer).toEqual({ status: 'unavailable', reasons });
    expect(JSON.stringify(answer)).not.toMatch(/secret|10\.1\.2\.3|\/srv/);
  });

  it('logs the details at warn once per change of reason, and the recovery once', async () => {
    const { probe, lines } = probeWithLog();
    const locked = new EngineUnavailableError('log', 'busy', { code: 'locked' });
    const outcomes = [logFull, logFull, locked, locked, undefined, undefined, logFull];
    for (const err of outcomes) await probe.check({ log: err === undefined ? ok : failing(err) });
    expect(lines.map(({ level, msg, engine, reason }) => ({ level, msg, engine, reason }))).toEqual(
      [
        { level: WARN, msg: 'engine not ready', engine: 'log', reason: 'disk_full' },
        { level: WARN, msg: 'engine not ready', engine: 'log', reason: 'locked' },
        { level: INFO, msg: 'engine ready again', engine: 'log', reason: undefined },
        { level: WARN, msg: 'engine not ready', engine: 'log', reason: 'disk_full' },
      ],
    );
    // The log keeps the driver's words for the operator.
    expect(lines[0]?.err?.message).toContain('/srv/secret-path/events.db');
  });

  it('tells engines apart when logging', async () => {
    const { probe, lines } = probeWithLog();
    await probe.check({ log: failing(logFull), store: failing(storeAway) });
    await probe.check({ log: ok, store: failing(storeAway) });
    expect(lines.map(({ msg, engine }) => `${msg}: ${engine ?? ''}`)).toEqual([
      'engine not ready: log',
      'engine not ready: store',
      'engine ready again: log',
    ]);
  });
});

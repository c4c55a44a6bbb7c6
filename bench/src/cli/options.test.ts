import { describe, expect, it } from 'vitest';
import { UsageError, parseOptions } from './options.js';

describe('parseOptions', () => {
  it('defaults to the full run', () => {
    const o = parseOptions([]);
    expect(o).toMatchObject({
      smoke: false,
      connections: 10_000,
      rounds: 3,
      durationSec: 30,
      targets: ['hubcast', 'ws', 'socketio'],
      workers: 2,
      ratePerSec: undefined,
      rooms: { users: 1000, devices: 5, rooms: 100, roomsPerUser: 10 },
      roomRatePerSec: 100,
      roomDurationSec: 30,
      stormRatePerSec: 5,
      stormSignal: 'SIGTERM',
      publishers: 64,
      durableDurationSec: 10,
      sqliteSyncs: ['normal'],
      engines: ['embedded', 'redis'],
      clusterDurationSec: 30,
      serveWorkers: 2,
      workersConnections: 38_000,
    });
    expect(o.scenarios).toEqual([
      'M1',
      'M2',
      'M3',
      'M4',
      'M6',
      'M8',
      'M9',
      'rooms',
      'chat',
      'storm',
      'durable',
      'cluster',
      'redis-cost',
      'workers',
      'polling',
    ]);
    expect(o.polling).toEqual({
      clients: 5000,
      intervalSec: 5,
      changeRatePerSec: 2,
      changeRows: 5,
      items: 5000,
    });
    expect(o.pollingDurationSec).toBe(30);
  });

  it('polling: smoke is tiny, flags set its shape, and a change cannot touch more rows than exist', () => {
    expect(parseOptions(['--smoke'])).toMatchObject({
      polling: { clients: 40, intervalSec: 1, changeRatePerSec: 5, items: 200 },
      pollingDurationSec: 2,
    });
    const o = parseOptions([
      ...['--poll-clients', '2000', '--poll-interval', '10', '--change-rate', '0.5'],
      ...['--change-rows', '50', '--items', '100'],
    ]);
    expect(o.polling).toEqual({
      clients: 2000,
      intervalSec: 10,
      changeRatePerSec: 0.5,
      changeRows: 50,
      items: 100,
    });
    expect(() => parseOptions(['--change-rows', '11', '--items', '10'])).toThrow(
      /--change-rows must be at most --items/,
    );
    expect(() => parseOptions(['--poll-clients', '0'])).toThrow(UsageError);
    expect(() => parseOptions(['--poll-interval', '0'])).toThrow(/--poll-interval must be/);
  });

  it('makes --smoke tiny, and flags still override it', () => {
    expect(parseOptions(['--smoke'])).toMatchObject({
      connections: 60,
      rounds: 1,
      durationSec: 2,
      rooms: { users: 50, devices: 2, rooms: 10, roomsPerUser: 2 },
      roomRatePerSec: 40,
      roomDurationSec: 1,
      stormRatePerSec: 100,
      durableDurationSec: 0.3,
      clusterDurationSec: 1,
      workersConnections: 60,
    });
    expect(parseOptions(['--smoke', '--connections', '100']).connections).toBe(100);
    expect(parseOptions(['--smoke', '--duration', '3'])).toMatchObject({
      durationSec: 3,
      roomDurationSec: 3,
      durableDurationSec: 3,
    });
  });

  it.each([
    [['--connections=500', '--rounds', '5'], { connections: 500, rounds: 5 }],
    [['--targets', 'socketio,hubcast'], { targets: ['hubcast', 'socketio'] }], // canonical order
    [['--scenarios', 'M6,M1'], { scenarios: ['M1', 'M6'] }],
    [['--scenarios', 'chat,rooms'], { scenarios: ['rooms', 'chat'] }],
    // `chat` takes the rooms flags: the same world, through the chat service.
    [
      ['--scenarios', 'chat', '--users', '200', '--rooms', '20', '--rooms-per-user', '4'],
      { scenarios: ['chat'], rooms: { users: 200, devices: 5, rooms: 20, roomsPerUser: 4 } },
    ],
    [['--rate', '12.5'], { ratePerSec: 12.5 }],
    [['--out', '/tmp/x'], { outDir: '/tmp/x' }],
    [
      ['--users', '200', '--devices', '3', '--rooms', '20', '--rooms-per-user', '4'],
      { rooms: { users: 200, devices: 3, rooms: 20, roomsPerUser: 4 } },
    ],
    [['--room-rate', '250'], { roomRatePerSec: 250 }],
    [['--scenarios', 'durable,storm'], { scenarios: ['storm', 'durable'] }],
    [['--storm-rate', '20', '--storm-kill'], { stormRatePerSec: 20, stormSignal: 'SIGKILL' }],
    [['--publishers', '8'], { publishers: 8 }],
    [['--sqlite-sync', 'full,normal'], { sqliteSyncs: ['normal', 'full'] }], // canonical order
    [['--sqlite-sync', 'full'], { sqliteSyncs: ['full'] }],
    [['--engines', 'redis,embedded'], { engines: ['embedded', 'redis'] }], // canonical order
    [['--engines', 'embedded'], { engines: ['embedded'] }],
    [['--duration', '5'], { durationSec: 5, clusterDurationSec: 5 }],
    // More than one generator process holds: the workers scenario spreads them over several.
    [
      ['--serve-workers', '3', '--workers-connections', '57000'],
      { serveWorkers: 3, workersConnections: 57_000 },
    ],
  ])('%j', (argv, expected) => {
    expect(parseOptions(argv)).toMatchObject(expected);
  });

  it.each([
    [['--connections', '0'], /--connections must be an integer from 1/],
    [['--connections', '20000'], /19900/], // the open-files limit of one process
    [['--rounds'], /--rounds needs a value/],
    [['--targets', 'nats'], /'nats' is not one of/],
    [['--scenarios', 'M5'], /'M5' is not one of/],
    [['--sqlite-sync', 'off'], /--sqlite-sync: 'off' is not one of normal, full/],
    [['--publishers', '0'], /--publishers must be an integer from 1/],
    [['--engines', 'postgres'], /--engines: 'postgres' is not one of embedded, redis/],
    [['--serve-workers', '1'], /--serve-workers must be an integer from 2/], // one node: W1's sessions
    [['--storm-rate', '0'], /--storm-rate must be/],
    [['--rate', '-1'], /--rate must be/],
    [['--room-rate', '0'], /--room-rate must be/],
    [['--rooms', '95'], /rooms: the rooms \(95\) must be a multiple of the rooms per user \(10\)/],
    [['--users', '1005'], /rooms: the users \(1005\) must be a multiple/],
    [['--users', '10000', '--devices', '2'], /--users x --devices must be at most 19900/],
    [['--frobnicate', '1'], /unknown option --frobnicate/],
    [['--frobnicate'], /unknown option --frobnicate/],
    [['smoke'], /unexpected argument 'smoke'/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseOptions(argv)).toThrow(UsageError);
    expect(() => parseOptions(argv)).toThrow(message);
  });
});

import { describe, expect, it } from 'vitest';
import { UsageError, parseOptions } from './options.js';

describe('parseOptions', () => {
  it('defaults to the full W1 run', () => {
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
    });
    expect(o.scenarios).toEqual(['M1', 'M2', 'M3', 'M4', 'M6', 'M8', 'M9', 'rooms']);
  });

  it('makes --smoke tiny, and flags still override it', () => {
    expect(parseOptions(['--smoke'])).toMatchObject({
      connections: 60,
      rounds: 1,
      durationSec: 2,
      rooms: { users: 50, devices: 2, rooms: 10, roomsPerUser: 2 },
      roomRatePerSec: 40,
      roomDurationSec: 1,
    });
    expect(parseOptions(['--smoke', '--connections', '100']).connections).toBe(100);
    expect(parseOptions(['--smoke', '--duration', '3'])).toMatchObject({
      durationSec: 3,
      roomDurationSec: 3,
    });
  });

  it.each([
    [['--connections=500', '--rounds', '5'], { connections: 500, rounds: 5 }],
    [['--targets', 'socketio,hubcast'], { targets: ['hubcast', 'socketio'] }], // canonical order
    [['--scenarios', 'M6,M1'], { scenarios: ['M1', 'M6'] }],
    [['--rate', '12.5'], { ratePerSec: 12.5 }],
    [['--out', '/tmp/x'], { outDir: '/tmp/x' }],
    [
      ['--users', '200', '--devices', '3', '--rooms', '20', '--rooms-per-user', '4'],
      { rooms: { users: 200, devices: 3, rooms: 20, roomsPerUser: 4 } },
    ],
    [['--room-rate', '250'], { roomRatePerSec: 250 }],
  ])('%j', (argv, expected) => {
    expect(parseOptions(argv)).toMatchObject(expected);
  });

  it.each([
    [['--connections', '0'], /--connections must be an integer from 1/],
    [['--connections', '20000'], /19900/], // the open-files limit of one process
    [['--rounds'], /--rounds needs a value/],
    [['--targets', 'nats'], /'nats' is not one of/],
    [['--scenarios', 'storm'], /'storm' is not one of/],
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

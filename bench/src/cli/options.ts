/** `hubcast bench` flags → validated options. Pure: errors are thrown, never printed here. */
import { fileURLToPath } from 'node:url';
import { connectionCount, explainShape, type RoomsShape } from '../loadgen/rooms.js';
import type { TargetName } from '../results.js';

export const SCENARIO_IDS = [
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
] as const;
export type ScenarioId = (typeof SCENARIO_IDS)[number];
/** The scenarios on W1's connections (one channel); `rooms` has connections of its own. */
export const W1_SCENARIOS: readonly ScenarioId[] = ['M1', 'M2', 'M3', 'M4', 'M6', 'M8', 'M9'];
/** `rooms` through hubcast's chat service: hubcast only, figures in `rooms` (variant `chat`). */
export const HUBCAST_ONLY_SCENARIOS: readonly ScenarioId[] = ['chat', 'durable', 'polling'];
/** Hubcast-only scenarios on the Redis engine (issue 11): left out without `--engines redis`. */
export const REDIS_SCENARIOS: readonly ScenarioId[] = ['cluster', 'redis-cost', 'workers'];

/** Open files of one generator process: W1 connections, or `rooms` users × devices. */
export const MAX_CONNECTIONS = 19_900;
export const TARGET_NAMES: readonly TargetName[] = ['hubcast', 'ws', 'socketio'];
/** `durable`'s SQLite sync modes (hubcast's `--sqlite-sync`), in report order. */
export const SQLITE_SYNCS = ['normal', 'full'] as const;
export type SqliteSync = (typeof SQLITE_SYNCS)[number];
/** Hubcast's engines: embedded (one node, SQLite log) and Redis (issue 11), in report order. */
export const ENGINES = ['embedded', 'redis'] as const;
export type Engine = (typeof ENGINES)[number];

export interface BenchOptions {
  smoke: boolean;
  connections: number;
  rounds: number;
  durationSec: number;
  /** `rooms`: seconds of messages (`--duration`; a smoke run's default is shorter than M6's). */
  roomDurationSec: number;
  targets: TargetName[];
  scenarios: ScenarioId[];
  workers: number;
  outDir: string;
  /** M6/M8 publishes per second; undefined: half the plain ws M3 capacity of round 1. */
  ratePerSec: number | undefined;
  /** Ceiling on the derived rate, so a tiny smoke run does not publish thousands a second. */
  maxRatePerSec: number;
  /** `rooms`: users, devices per user, rooms and rooms per user. */
  rooms: RoomsShape;
  /** `rooms`: chat messages per second over all rooms, for `durationSec`. */
  roomRatePerSec: number;
  /** `storm`: events per second published through the restart (over `connections` clients). */
  stormRatePerSec: number;
  /** `storm`: how the target is restarted: drained as a deploy does (SIGTERM), or killed. */
  stormSignal: 'SIGTERM' | 'SIGKILL';
  /** `durable`: concurrent HTTP publishers, and seconds measured per log. */
  publishers: number;
  durableDurationSec: number;
  /** `durable`: the SQLite sync modes measured against the memory log (default `normal`). */
  sqliteSyncs: SqliteSync[];
  /**
   * Hubcast's engines: W1 sessions run once per engine, `durable` adds the Redis log, and
   * `cluster`, `redis-cost` and `workers` need `redis` (default both).
   */
  engines: Engine[];
  /** `cluster`: seconds of each of its two windows (M6's `--duration`; smoke 1). */
  clusterDurationSec: number;
  /** `workers`: `hubcast serve --workers N`, and the connections it holds. */
  serveWorkers: number;
  workersConnections: number;
  /** `polling` (issue 13): the clients, how often they poll, and the changes they must see. */
  polling: PollingShape;
  /** `polling`: seconds of changes per variant (`--duration`; default 30, smoke 2). */
  pollingDurationSec: number;
  /** Handshakes in flight at once, over all workers. */
  maxInFlight: number;
  /** Write a V8 CPU profile of every target process into this directory (`--cpu-prof`). */
  cpuProfDir: string | undefined;
  help: boolean;
}

/** `polling`'s world: N clients, a poll interval, an inventory and a changer. */
export interface PollingShape {
  /** Clients per variant: pollers, or hubcast subscribers. */
  clients: number;
  /** Seconds between a poller's polls. */
  intervalSec: number;
  /** Changes per second; each updates `changeRows` rows of the `items`-row inventory. */
  changeRatePerSec: number;
  changeRows: number;
  items: number;
}

export class UsageError extends Error {}

export const USAGE = `usage: hubcast bench [options]

  --smoke               every scenario tiny (60 connections, 1 round, 2 s; rooms: 50 users
                        x 2 devices in 10 rooms, 2 each, 40 messages in 1 s; storm: 60
                        clients at 100 events/s; durable and redis-cost: 0.3 s per log or
                        node count; cluster: 1 s per window; workers: 60 connections;
                        polling: 40 clients polling every 1 s, 2 s of changes),
                        checks exactly-once
  --connections N       W1 connections per target (default 10000; one process holds at most ~19,900)
  --rounds N            interleaved rounds, medians over them (default 3)
  --duration S          seconds of the fixed-rate runs M6, rooms and each cluster window
                        (default 30; smoke 2, 1 and 1), and of each durable and redis-cost
                        measurement (default 10; smoke 0.3), and of polling's changes
                        per variant (default 30; smoke 2)
  --rate N              M6/M8 publishes per second (default: half the plain ws M3 capacity)
  --users N             rooms and chat (the same rooms through hubcast's chat service):
                        chat users (default 1000)
  --devices N           rooms: connections per user (default 5)
  --rooms N             rooms: chat rooms (default 100)
  --rooms-per-user N    rooms: rooms each user is in (default 10; every room gets
                        users x rooms-per-user / rooms users)
  --room-rate N         rooms: messages per second over all rooms (default 100, a message
                        per user every 10 s)
  --storm-rate N        storm: events per second through the restart (default 5: 50,000
                        deliveries/s on 10,000 clients, which every target keeps up with)
  --storm-kill          storm: kill the target (SIGKILL) instead of draining it (SIGTERM)
  --publishers N        durable: concurrent keep-alive HTTP publishers (default 64)
  --sqlite-sync LIST    durable: normal,full (default normal): SQLite sync modes measured
                        against the memory log
  --engines LIST        embedded,redis (default both): hubcast's engines; W1 (M1-M9) runs
                        on each, durable adds the Redis log, cluster, redis-cost and workers
                        need redis (a redis-server the bench starts, AOF fsync always)
  --serve-workers N     workers: hubcast serve --workers N (default 2)
  --workers-connections N  workers: connections to hold (default 38000; spread over
                        generator processes of at most ~19,900 each)
  --poll-clients N      polling: clients per variant, pollers or hubcast subscribers
                        (default 5000; smoke 40)
  --poll-interval S     polling: seconds between a client's polls (default 5; smoke 1)
  --change-rate N       polling: inventory changes per second (default 2; smoke 5)
  --change-rows N       polling: rows each change updates (default 5)
  --items N             polling: rows in the inventory table (default 5000; smoke 200)
  --targets LIST        hubcast,ws,socketio (default all three; chat, durable and polling
                        run on hubcast only)
  --scenarios LIST      ${SCENARIO_IDS.join(',')} (default all)
  --workers N           generator worker threads (default 2)
  --in-flight N         handshakes in flight at once (default 256)
  --out DIR             where the JSON and HTML go (default bench/results)
  --cpu-prof DIR        write a CPU profile of each target process into DIR
`;

const DEFAULT_OUT = fileURLToPath(new URL('../../results/', import.meta.url));

export function parseOptions(argv: readonly string[]): BenchOptions {
  const known = new Set([
    'smoke',
    'help',
    'connections',
    'rounds',
    'duration',
    'rate',
    'targets',
    'scenarios',
    'workers',
    'in-flight',
    'out',
    'cpu-prof',
    'users',
    'devices',
    'rooms',
    'rooms-per-user',
    'room-rate',
    'storm-rate',
    'storm-kill',
    'publishers',
    'sqlite-sync',
    'engines',
    'serve-workers',
    'workers-connections',
    'poll-clients',
    'poll-interval',
    'change-rate',
    'change-rows',
    'items',
  ]);
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (!arg.startsWith('--')) throw new UsageError(`unexpected argument '${arg}'`);
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq > 0 ? eq : undefined);
    if (!known.has(name)) throw new UsageError(`unknown option --${name}`);
    if (eq > 0) {
      flags.set(arg.slice(2, eq), arg.slice(eq + 1));
    } else if (arg === '--smoke' || arg === '--help' || arg === '--storm-kill') {
      flags.set(arg.slice(2), true);
    } else {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--'))
        throw new UsageError(`${arg} needs a value`);
      flags.set(arg.slice(2), value);
      i++;
    }
  }

  const smoke = flags.get('smoke') === true;
  const text = (key: string): string | undefined => {
    const v = flags.get(key);
    if (v === true) throw new UsageError(`--${key} needs a value`);
    return v;
  };
  const int = (key: string, fallback: number, min: number, max: number): number => {
    const raw = text(key);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max)
      throw new UsageError(`--${key} must be an integer from ${min} to ${max}`);
    return n;
  };
  const list = <T extends string>(
    key: string,
    allowed: readonly T[],
    fallback: readonly T[] = allowed,
  ): T[] => {
    const raw = text(key);
    if (raw === undefined) return [...fallback];
    const items = raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    for (const item of items)
      if (!(allowed as readonly string[]).includes(item))
        throw new UsageError(`--${key}: '${item}' is not one of ${allowed.join(', ')}`);
    if (items.length === 0) throw new UsageError(`--${key} is empty`);
    return allowed.filter((a) => items.includes(a));
  };
  const rate = (key: string): number | undefined => {
    const raw = text(key);
    if (raw === undefined) return undefined;
    const n = Number(raw);
    if (!Number.isFinite(n) || n <= 0 || n > 100_000)
      throw new UsageError(`--${key} must be a number above 0 and at most 100000`);
    return n;
  };
  const ratePerSec = rate('rate');
  const rooms: RoomsShape = {
    users: int('users', smoke ? 50 : 1000, 1, MAX_CONNECTIONS),
    devices: int('devices', smoke ? 2 : 5, 1, 1000),
    rooms: int('rooms', smoke ? 10 : 100, 1, 100_000),
    roomsPerUser: int('rooms-per-user', smoke ? 2 : 10, 1, 256),
  };
  const why = explainShape(rooms);
  if (why !== undefined) throw new UsageError(`rooms: ${why}`);
  if (connectionCount(rooms) > MAX_CONNECTIONS)
    throw new UsageError(`rooms: --users x --devices must be at most ${MAX_CONNECTIONS}`);
  const polling: PollingShape = {
    clients: int('poll-clients', smoke ? 40 : 5000, 1, MAX_CONNECTIONS),
    intervalSec: int('poll-interval', smoke ? 1 : 5, 1, 600),
    changeRatePerSec: rate('change-rate') ?? (smoke ? 5 : 2),
    changeRows: int('change-rows', 5, 1, 1000),
    items: int('items', smoke ? 200 : 5000, 1, 10_000_000),
  };
  if (polling.changeRows > polling.items)
    throw new UsageError('polling: --change-rows must be at most --items');
  return {
    smoke,
    help: flags.get('help') === true,
    connections: int('connections', smoke ? 60 : 10_000, 1, MAX_CONNECTIONS),
    rounds: int('rounds', smoke ? 1 : 3, 1, 50),
    durationSec: int('duration', smoke ? 2 : 30, 1, 3600),
    targets: list('targets', TARGET_NAMES),
    scenarios: list('scenarios', SCENARIO_IDS),
    workers: int('workers', 2, 1, 64),
    maxInFlight: int('in-flight', 256, 1, 10_000),
    outDir: text('out') ?? DEFAULT_OUT,
    cpuProfDir: text('cpu-prof'),
    ratePerSec,
    maxRatePerSec: smoke ? 50 : 5_000,
    rooms,
    roomRatePerSec: rate('room-rate') ?? (smoke ? 40 : 100),
    roomDurationSec: int('duration', smoke ? 1 : 30, 1, 3600),
    stormRatePerSec: rate('storm-rate') ?? (smoke ? 100 : 5),
    stormSignal: flags.get('storm-kill') === true ? 'SIGKILL' : 'SIGTERM',
    publishers: int('publishers', 64, 1, 1000),
    durableDurationSec: int('duration', smoke ? 0.3 : 10, 1, 3600),
    sqliteSyncs: list('sqlite-sync', SQLITE_SYNCS, ['normal']),
    engines: list('engines', ENGINES),
    clusterDurationSec: int('duration', smoke ? 1 : 30, 1, 3600),
    serveWorkers: int('serve-workers', 2, 2, 64),
    workersConnections: int('workers-connections', smoke ? 60 : 38_000, 1, 200_000),
    polling,
    pollingDurationSec: int('duration', smoke ? 2 : 30, 1, 3600),
  };
}

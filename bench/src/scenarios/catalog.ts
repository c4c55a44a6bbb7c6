/** The scenarios this generator runs, their titles and the headline figure each is judged by. */
import type { BenchOptions, ScenarioId } from '../cli/options.js';
import { roomUsers } from '../loadgen/rooms.js';
import type { ScenarioResult, TargetFigures } from '../results.js';

export interface ScenarioSpec {
  id: ScenarioId;
  title: string;
  headline: ScenarioResult['headline'];
}

export const CATALOG: Record<ScenarioId, ScenarioSpec> = {
  M1: {
    id: 'M1',
    title: 'Memory per idle subscribed connection (after GC)',
    headline: { metric: 'rssPerConnBytes', unit: 'bytes', betterIs: 'lower' },
  },
  M2: {
    id: 'M2',
    title: 'One isolated publish: time to the last of N deliveries',
    headline: { metric: 'timeToLastMs', unit: 'ms', betterIs: 'lower' },
  },
  M3: {
    id: 'M3',
    title: '20 publishes back to back, one request each',
    headline: { metric: 'deliveriesPerSec', unit: 'deliveries/s', betterIs: 'higher' },
  },
  M4: {
    id: 'M4',
    title: '20 publishes inside one request (one flush window)',
    headline: { metric: 'deliveriesPerSec', unit: 'deliveries/s', betterIs: 'higher' },
  },
  M6: {
    id: 'M6',
    title: 'A fixed publish rate at half the plain ws capacity',
    headline: { metric: 'p99Ms', unit: 'ms', betterIs: 'lower' },
  },
  M8: {
    id: 'M8',
    title: '1% of the clients stop reading',
    headline: { metric: 'rssGrowthBytes', unit: 'bytes', betterIs: 'lower' },
  },
  M9: {
    id: 'M9',
    title: 'Connect + auth rate while ramping',
    headline: { metric: 'connectsPerSec', unit: 'connections/s', betterIs: 'higher' },
  },
  // A fixed rate, as M6: every target that keeps up delivers the same deliveries/s, so the
  // latency tail is what tells them apart. No goal row: figures and ratios only.
  rooms: {
    id: 'rooms',
    title: 'Chat rooms: users publish into their rooms from their devices',
    headline: { metric: 'p99Ms', unit: 'ms', betterIs: 'lower' },
  },
  // Hubcast alone; its figures join `rooms` as hubcast's `chat` variant (variants.ts), so the
  // report shows them next to the raw publishes and gives the ratio chat / raw.
  chat: {
    id: 'chat',
    title: 'Chat rooms through the chat service: members send with chat.send',
    headline: { metric: 'p99Ms', unit: 'ms', betterIs: 'lower' },
  },
  // Lost and duplicated events are the verdict (0 and 0 for hubcast); the headline is how long
  // the restart took from the clients' side. The peers lose what was published while their
  // clients were away, so their ratios are left out (a fast figure that dropped events).
  storm: {
    id: 'storm',
    title: 'The server restarted under its clients: time until every client is live again',
    headline: { metric: 'recoveryMs', unit: 'ms', betterIs: 'lower' },
  },
  // Hubcast alone, with each event log: the goal is a ratio within hubcast (goals.ts).
  durable: {
    id: 'durable',
    title: 'Durable publishes/s through the HTTP API: the SQLite log against the memory log',
    headline: { metric: 'publishesPerSec', unit: 'publishes/s', betterIs: 'higher' },
  },
  // Hubcast on the Redis engine alone (issue 11): variants of one target, as `durable`'s.
  cluster: {
    id: 'cluster',
    title: 'Across nodes: publish on node A, subscribers on node B, against both on B',
    headline: { metric: 'p99Ms', unit: 'ms', betterIs: 'lower' },
  },
  'redis-cost': {
    id: 'redis-cost',
    title: "Redis's own work per publish, by nodes subscribed",
    headline: { metric: 'redisCpuPerPublishUs', unit: 'µs', betterIs: 'lower' },
  },
  // The figure is whether the connections are held; a publish's time to all of them follows.
  workers: {
    id: 'workers',
    title: 'hubcast serve --workers N --engine redis: connections held, one publish to all',
    headline: { metric: 'connections', unit: 'connections', betterIs: 'higher' },
  },
  // Issue 13: the same clients and changes, polled from a REST server over PostgreSQL or pushed
  // by hubcast (variants `polling` and `push`); what every server process spends is the
  // headline, the time from a change to every client comes with it.
  polling: {
    id: 'polling',
    title: 'Push vs polling: the same clients and inventory changes, REST + PostgreSQL or hubcast',
    headline: { metric: 'serverCpu', unit: 'share', betterIs: 'lower' },
  },
};

/** The title a run reports: scenarios other than M1-M9 name their shape, which flags change. */
export function scenarioTitle(id: ScenarioId, options: BenchOptions): string {
  if (id === 'cluster')
    return (
      `Across nodes (Redis engine): ${options.connections} subscribers on node B, publishes posted ` +
      'to node A, against posted to B'
    );
  if (id === 'redis-cost')
    return (
      `Redis's own work per publish with 1, 2 and 3 nodes subscribed, ${options.publishers} ` +
      'publishers, no client connected'
    );
  if (id === 'workers')
    return (
      `hubcast serve --workers ${options.serveWorkers} --engine redis holding ` +
      `${options.workersConnections} connections: one publish to all`
    );
  if (id === 'storm')
    return (
      `The server ${options.stormSignal === 'SIGKILL' ? 'killed (SIGKILL)' : 'restarted (SIGTERM)'} ` +
      `under ${options.connections} clients, ${options.stormRatePerSec} events/s: time until every client is live again`
    );
  if (id === 'durable')
    return (
      `Durable publishes/s through the HTTP API, ${options.publishers} publishers: ` +
      (options.engines.includes('redis')
        ? 'the SQLite log against the memory log and the Redis log'
        : 'the SQLite log against the memory log')
    );
  if (id === 'polling') {
    const p = options.polling;
    return (
      `Push vs polling: ${p.clients} clients polling GET /items?since= every ${p.intervalSec} s ` +
      `(REST + PostgreSQL) or subscribed on hubcast; ${p.changeRatePerSec} changes/s of ` +
      `${p.changeRows} rows in a ${p.items}-row inventory`
    );
  }
  if (id !== 'rooms' && id !== 'chat') return CATALOG[id].title;
  const r = options.rooms;
  const how = [
    ...(options.scenarios.includes('rooms') ? ['published by the clients'] : []),
    ...(options.scenarios.includes('chat') ? ["sent through hubcast's chat service (chat)"] : []),
  ];
  return (
    `Chat rooms: ${r.users} users × ${r.devices} devices, ${r.rooms} rooms of ${roomUsers(r)} users ` +
    `(${r.roomsPerUser} each), ${options.roomRatePerSec} messages/s ${how.join(', and ')}`
  );
}

/** What one scenario measured on one target in one round. */
export type RoundFigure = Omit<TargetFigures, 'target' | 'rounds' | 'median'> & {
  metrics: Record<string, number>;
};

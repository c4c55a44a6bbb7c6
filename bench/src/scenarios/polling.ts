/**
 * `polling` (issue 13): the first seed's claim, push against polling, on this machine. The same
 * N clients either poll a REST server backed by PostgreSQL (`GET /items?since=<version>` every
 * interval, phases spread evenly) or subscribe to one hubcast channel, while the same changer
 * updates the same inventory rows at the same rate; in the push variant it also publishes each
 * committed change to hubcast over its HTTP API. Per variant: HTTP requests/s at the REST
 * server, database queries/s (counted by the server, and by PostgreSQL), the CPU of the REST
 * server, hubcast and PostgreSQL, and the time from a change to every client having it.
 * One PostgreSQL and one REST server per round, both variants on it in a rotating order, the
 * table seeded afresh for each.
 */
import { cpus, loadavg } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { nowMs } from '../loadgen/payload.js';
import { PollFleet } from '../loadgen/poll-fleet.js';
import { ProgressBar } from '../loadgen/progress-bar.js';
import { Publisher, publishRoute } from '../loadgen/publisher.js';
import { summarizeLatency, median } from '../stats/summary.js';
import { withPostgres, type PostgresServer } from '../targets/postgres-server.js';
import { RestProcess } from '../targets/rest-process.js';
import { TargetProcess } from '../targets/target-process.js';
import { readDbCounters, runChanger, seedInventory, type DbCounters } from './inventory.js';
import { changeLatencies } from './polling-figures.js';
import { HOST, ORG, targetSettings, type Collect, type RunState } from './session.js';
import { POLLING_VARIANTS, variantOrder } from './variants.js';
import { isGeneratorBound } from './window.js';

type PollingVariant = (typeof POLLING_VARIANTS)[number];
const CHANNEL = 'inventory';
/** Connections in the REST server's pg pool: a common app default. */
const POOL_SIZE = 10;
/** Push clients wait this long after the ramp; pollers a whole interval more (all phases). */
const WARMUP_MS = 1000;
/** How long past the window clients may take to see the last change before it counts lost. */
const STRAGGLERS_MS = 60_000;

export async function runPollingSession(
  state: RunState,
  collect: Collect,
  round: number,
): Promise<void> {
  await withPostgres(async (server) => {
    const db = new pg.Client({ connectionString: server.url });
    await db.connect();
    const rest = await RestProcess.start({ host: HOST, pgUrl: server.url, poolSize: POOL_SIZE });
    try {
      for (const variant of variantOrder(POLLING_VARIANTS, round))
        await measureVariant(variant, state, collect, { server, db, rest });
    } finally {
      await rest.stop();
      await db.end();
    }
  });
}

interface Parts {
  server: PostgresServer;
  db: pg.Client;
  rest: RestProcess;
}

/** CPU (µs) of every server process and the generator, and the counters, at one moment. */
interface Reading {
  restCpu: number;
  hubcastCpu: number;
  pgCpu: number;
  generatorCpu: number;
  requests: number;
  queries: number;
  db: DbCounters;
  atMs: number;
  load1m: number;
}

async function measureVariant(
  variant: PollingVariant,
  state: RunState,
  collect: Collect,
  { server, db, rest }: Parts,
): Promise<void> {
  const { options } = state;
  const o = options.polling;
  await seedInventory(db, o.items);
  const hub =
    variant === 'push'
      ? await TargetProcess.start('hubcast', targetSettings(state), options.cpuProfDir)
      : undefined;
  const publisher =
    hub === undefined
      ? undefined
      : new Publisher(HOST, hub.port, publishRoute('hubcast', ORG, state.apiKey), 4);
  const fleet = PollFleet.start(options.workers);
  try {
    const changes = Math.max(1, Math.round(options.pollingDurationSec * o.changeRatePerSec));
    const intervalMs = o.intervalSec * 1000;
    const bar = new ProgressBar(
      variant === 'push' ? 'subscribing on hubcast' : 'connecting pollers',
      o.clients,
    );
    const ramp = await fleet.connect(
      {
        mode: variant === 'push' ? 'push' : 'poll',
        host: HOST,
        port: hub?.port ?? rest.port,
        total: o.clients,
        changes,
        maxInFlight: options.maxInFlight,
        jwtSecret: state.jwtSecret,
        org: ORG,
        channel: CHANNEL,
      },
      (ready, failed) => bar.update(ready, failed),
    );
    bar.done(ramp.ready, ramp.failed);
    if (ramp.ready === 0)
      throw new Error(`no ${variant} client connected: ${ramp.errors.join('; ')}`);
    let warmup = WARMUP_MS;
    if (variant === 'polling') {
      await fleet.start(nowMs() + 100, intervalMs);
      warmup += intervalMs; // every phase has polled once before the window opens
    }
    await sleep(warmup);

    const read = async (): Promise<Reading> => {
      const [stats, hubcastCpu, dbCounters] = await Promise.all([
        rest.stats(),
        hub?.cpuMicros() ?? Promise.resolve(0),
        readDbCounters(db),
      ]);
      const { user, system } = process.cpuUsage();
      return {
        restCpu: stats.cpuMicros,
        hubcastCpu,
        pgCpu: server.cpuMicros(),
        generatorCpu: user + system,
        requests: stats.requests,
        queries: stats.queries,
        db: dbCounters,
        atMs: nowMs(),
        load1m: loadavg()[0] ?? 0,
      };
    };
    const open = await read();
    const periodMs = 1000 / o.changeRatePerSec;
    const windowMs = changes * periodMs;
    const changer = await runChanger(db, {
      changes,
      periodMs,
      rowsPerChange: o.changeRows,
      items: o.items,
      startMs: open.atMs,
      ...(publisher === undefined
        ? {}
        : { publish: (data: string) => publisher.publishRaw(CHANNEL, [data]) }),
    });
    const closeIn = open.atMs + windowMs - nowMs();
    if (closeIn > 0) await sleep(closeIn);
    const close = await read();

    // Stragglers: a poller sees the last change at its next poll, up to an interval later, and
    // later still when the REST server is behind (on a busy machine, by many seconds).
    const deadline = nowMs() + (variant === 'polling' ? 2 * intervalMs : 0) + STRAGGLERS_MS;
    while ((await fleet.status(changes)).seen < ramp.ready && nowMs() < deadline) await sleep(50);
    const books = await fleet.collect(changes);
    const lat = changeLatencies(books.seen, changer.changeAtMs, books.clients);
    const perClient = summarizeLatency(lat.perClientMs);

    const spanMs = Math.max(1e-3, close.atMs - open.atMs);
    const perSec = (n: number): number => (n / spanMs) * 1000;
    const share = (micros: number): number => micros / 1000 / spanMs;
    const restCpu = share(close.restCpu - open.restCpu);
    const hubcastCpu = share(close.hubcastCpu - open.hubcastCpu);
    const pgCpu = share(close.pgCpu - open.pgCpu);
    const generatorCpu = share(close.generatorCpu - open.generatorCpu);
    const serverCpu = restCpu + hubcastCpu + pgCpu;
    const notes = [
      ...ramp.errors.map((e) => `connect failed: ${e}`),
      ...books.errorTexts.map((e) => `poll failed: ${e}`),
    ];
    if (changer.maxLagMs > periodMs)
      notes.push(`the changer fell ${changer.maxLagMs.toFixed(0)} ms behind its schedule`);
    collect('polling', {
      variant,
      metrics: {
        serverCpu,
        httpRequestsPerSec: perSec(close.requests - open.requests),
        serverQueriesPerSec: perSec(close.queries - open.queries),
        pgItemsQueriesPerSec: perSec(close.db.itemsQueryCalls - open.db.itemsQueryCalls),
        pgStatementsPerSec: perSec(close.db.statementCalls - open.db.statementCalls),
        pgXactCommitPerSec: perSec(close.db.xactCommit - open.db.xactCommit),
        restCpu,
        hubcastCpu,
        pgCpu,
        timeToAllP50Ms: median([...lat.timeToAllMs]),
        timeToAllMaxMs: Math.max(...lat.timeToAllMs),
        clientP50Ms: perClient.p50,
        clientP99Ms: perClient.p99,
        clients: ramp.ready,
        failed: ramp.failed,
        changes,
        rowsChangedPerSec: perSec(changes * o.changeRows),
        pollErrors: books.errors,
        // Over the whole session, warm-up and stragglers included.
        pollRoundTripMs: books.responses > 0 ? books.roundTripMsSum / books.responses : 0,
        latePolls: books.late,
        closed: books.closed,
        changerMaxLagMs: changer.maxLagMs,
        // The machine is shared: its 1-minute load average when the window closed.
        machineLoad1m: close.load1m,
      },
      latency: perClient,
      lost: lat.unseen,
      duplicated: books.duplicated,
      generatorCpu,
      targetCpu: serverCpu,
      generatorBound: isGeneratorBound(generatorCpu, serverCpu, fleet.size, cpus().length),
      ...(notes.length > 0 ? { notes } : {}),
    });
  } finally {
    await fleet.close();
    publisher?.close();
    await hub?.stop();
  }
}

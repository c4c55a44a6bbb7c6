/**
 * `hubcast bench`: parse flags, run the interleaved rounds, write the JSON and HTML report,
 * print the table. Returns the exit code: 0, 1 when events were lost or duplicated (or figures
 * are missing), 2 on bad flags. Every worker and target process is gone when it returns.
 */
import { randomBytes } from 'node:crypto';
import { cpus, totalmem } from 'node:os';
import { LoadPool } from '../loadgen/pool.js';
import { PAYLOAD_BYTES } from '../loadgen/payload.js';
import { writeReport } from '../report/index.js';
import type { BenchRun } from '../results.js';
import { assembleScenarios, computeRatios, findProblems } from '../scenarios/assemble.js';
import { leftOut, runRounds } from '../scenarios/rounds.js';
import type { RunState } from '../scenarios/session.js';
import { computeVariantRatios } from '../scenarios/variants.js';
import { parseOptions, USAGE, UsageError, W1_SCENARIOS, type BenchOptions } from './options.js';
import { summaryTable } from './summary-table.js';

const log = (line: string): void => void process.stderr.write(`bench: ${line}\n`);

export async function runBench(argv: readonly string[]): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseOptions(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`hubcast bench: ${err.message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }

  // Ctrl-C: exit through process.exit so the 'exit' hook kills the target processes.
  const onSignal = (signal: NodeJS.Signals): void => {
    log(`${signal}: stopping`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const pool = LoadPool.start(options.workers);
  try {
    const startedAt = new Date();
    const state: RunState = {
      options,
      pool,
      jwtSecret: randomBytes(24).toString('hex'),
      apiKey: randomBytes(16).toString('hex'),
      ratePerSec: options.ratePerSec,
      notes: [],
    };
    state.notes.push(...leftOut(state));
    if (options.scenarios.includes('M8'))
      state.notes.push(
        `M8: the slow 1% (every ${100}th connection) also joined a second channel at connect time; ` +
          'it gets a flood of 24 KB events so their buffers overflow within seconds.',
      );
    if (options.ratePerSec !== undefined)
      state.notes.push(`M6/M8 rate: ${options.ratePerSec} publishes/s (--rate)`);
    const rooms = options.scenarios.includes('rooms') || options.scenarios.includes('chat');
    const storm = options.scenarios.includes('storm');
    const durable = options.scenarios.includes('durable');
    const redis = options.engines.includes('redis');
    const cluster = redis && options.scenarios.includes('cluster');
    const workers = redis && options.scenarios.includes('workers');
    const polling = options.scenarios.includes('polling') && options.targets.includes('hubcast');
    const p = options.polling;
    const w1 = options.scenarios.some((id) => W1_SCENARIOS.includes(id));
    const r = options.rooms;
    log(
      [
        `${options.rounds} round(s), targets ${options.targets.join(',')}, scenarios ${options.scenarios.join(',')}, ` +
          `hubcast engines ${options.engines.join(',')}, ${options.workers} worker(s)`,
        w1 ? `W1: ${options.connections} connections` : '',
        rooms
          ? `rooms/chat: ${r.users} users x ${r.devices} devices, ${r.rooms} rooms, ${r.roomsPerUser} per user, ` +
            `${options.roomRatePerSec} messages/s for ${options.roomDurationSec} s`
          : '',
        storm
          ? `storm: ${options.connections} clients, ${options.stormRatePerSec} events/s, ${options.stormSignal}`
          : '',
        durable
          ? `durable: ${options.publishers} publishers, ${options.durableDurationSec} s per log, ` +
            `SQLite sync ${options.sqliteSyncs.join(',')}`
          : '',
        cluster ? `cluster: ${options.clusterDurationSec} s per window` : '',
        polling
          ? `polling: ${p.clients} clients, every ${p.intervalSec} s, ${p.changeRatePerSec} changes/s ` +
            `of ${p.changeRows} rows (${p.items} items) for ${options.pollingDurationSec} s per variant`
          : '',
        workers
          ? `workers: hubcast serve --workers ${options.serveWorkers}, ${options.workersConnections} connections`
          : '',
      ]
        .filter(Boolean)
        .join('; '),
    );
    const { collected, errors } = await runRounds(state, log);
    const scenarios = assembleScenarios(collected, options);
    const run: BenchRun = {
      runId: runId(startedAt, options.smoke),
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      smoke: options.smoke,
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? 'unknown',
        memoryBytes: totalmem(),
        node: process.version,
        platform: `${process.platform} ${process.arch}`,
      },
      settings: {
        connections: options.connections,
        rounds: options.rounds,
        m6DurationSec: options.durationSec,
        m6RatePerSec: state.ratePerSec ?? 0,
        targets: options.targets.join(','),
        scenarios: options.scenarios.join(','),
        generatorWorkers: options.workers,
        handshakesInFlight: options.maxInFlight,
        payloadBytes: PAYLOAD_BYTES,
        engines: options.engines.join(','),
        // redis-server.ts: what the Redis engine's durability is measured with.
        ...(redis ? { redisAppendfsync: 'always' } : {}),
        codec: 'json',
        gcBeforeMemory: true,
        ...(rooms
          ? {
              roomsUsers: r.users,
              roomsDevices: r.devices,
              roomsRooms: r.rooms,
              roomsPerUser: r.roomsPerUser,
              roomsRatePerSec: options.roomRatePerSec,
              roomsDurationSec: options.roomDurationSec,
            }
          : {}),
        ...(storm
          ? { stormRatePerSec: options.stormRatePerSec, stormSignal: options.stormSignal }
          : {}),
        ...(durable
          ? {
              durablePublishers: options.publishers,
              durableDurationSec: options.durableDurationSec,
              durableSqliteSync: options.sqliteSyncs.join(','),
            }
          : {}),
        ...(cluster ? { clusterDurationSec: options.clusterDurationSec } : {}),
        ...(polling
          ? {
              pollingClients: p.clients,
              pollingIntervalSec: p.intervalSec,
              pollingChangeRatePerSec: p.changeRatePerSec,
              pollingChangeRows: p.changeRows,
              pollingItems: p.items,
              pollingDurationSec: options.pollingDurationSec,
            }
          : {}),
        ...(workers
          ? { serveWorkers: options.serveWorkers, workersConnections: options.workersConnections }
          : {}),
      },
      scenarios,
      ratios: computeRatios(scenarios),
      variantRatios: computeVariantRatios(scenarios),
      notes: [...state.notes, ...errors.map((e) => `error: ${e}`)],
    };
    const { jsonPath, htmlPath } = await writeReport(run, options.outDir);
    process.stdout.write(`\n${summaryTable(run)}\n\n${jsonPath}\n${htmlPath}\n`);
    const problems = [...errors, ...findProblems(scenarios, options)];
    if (problems.length > 0) {
      process.stderr.write(`\nbench FAILED:\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
      return 1;
    }
    if (options.smoke)
      log(
        storm
          ? 'smoke passed: every event arrived exactly once (storm: on hubcast, across the restart)'
          : 'smoke passed: every event arrived exactly once on every target',
      );
    return 0;
  } finally {
    await pool.close();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

/** `2026-11-23T12-40-05Z`, or `smoke-…` for smoke runs: a file name that sorts by time. */
export function runId(at: Date, smoke: boolean): string {
  const stamp = at.toISOString().slice(0, 19).replace(/:/g, '-') + 'Z';
  return smoke ? `smoke-${stamp}` : stamp;
}

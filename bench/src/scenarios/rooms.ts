/**
 * `rooms`, the classic enterprise chat test: users on several devices each, in several chat
 * rooms each, publish chat messages into their rooms over their own WebSockets at a fixed total
 * rate (hubcast `publish` commands under per-user publish grants, a `{channel, data}` message
 * to the plain ws hub, a Socket.IO `publish` event that the server sends with `io.to(room)`).
 * Every member connection of a room, the sender's own included on every target, must get
 * every message of that room exactly once; each connection keeps one window per room.
 *
 * `chat` (hubcast only) runs the same world through the chat service: the rooms are created
 * over HTTP first, connections subscribe to `chat.r<n>` and send with the `chat.send` rpc, and
 * its figures are hubcast's `chat` variant of `rooms`, next to the raw publishes of the round.
 *
 * It runs on its own target process and connections, after the W1 session of the same target
 * and round. Figures: deliveries/s, publish-to-delivery latency (the sender stamps a message
 * when it writes it), the target's CPU and RSS (idle after the ramp, and its peak while the
 * messages flow, sampled without GC).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { nowMs } from '../loadgen/payload.js';
import type { LoadPool, RoomsPublished } from '../loadgen/pool.js';
import { ProgressBar } from '../loadgen/progress-bar.js';
import { connectionCount, roomConnections, type RoomsVia } from '../loadgen/rooms.js';
import type { TargetName } from '../results.js';
import type { MeasuredReply } from '../targets/control.js';
import { TargetProcess } from '../targets/target-process.js';
import { summarizeLatency } from '../stats/summary.js';
import type { RoundFigure } from './catalog.js';
import { createChatRooms } from './chat-rooms.js';
import { closeNotes } from './fanout.js';
import { CHAT_VARIANT } from './variants.js';
import { HISTORY_SIZE, HOST, ORG, SETTLE_MS, type Collect, type RunState } from './session.js';
import { measureWindow, type WindowHost } from './window.js';

/** Lead time before the first message, so every worker has the plan when it is due. */
const START_DELAY_MS = 100;
/** How often the target's RSS is sampled while the messages flow. */
const RSS_SAMPLE_MS = 500;
const SMOKE_SETTLE_MS = 100;
/** A message sent later than this after it was due says the generator fell behind. */
const LAG_NOTE_MS = 50;

/** `chat`: `rooms` on hubcast through its chat service (the store, the outbox, the log). */
export function runChatSession(
  target: TargetName,
  state: RunState,
  collect: Collect,
): Promise<void> {
  return runRoomsSession(target, state, collect, 'chat');
}

export async function runRoomsSession(
  target: TargetName,
  state: RunState,
  collect: Collect,
  via: RoomsVia = 'publish',
): Promise<void> {
  const { options, pool } = state;
  const shape = options.rooms;
  const total = connectionCount(shape);
  const proc = await TargetProcess.start(
    target,
    { host: HOST, jwtSecret: state.jwtSecret, apiKey: state.apiKey, historySize: HISTORY_SIZE },
    options.cpuProfDir,
  );
  try {
    const base = await proc.measure();
    if (via === 'chat')
      await createChatRooms({ host: HOST, port: proc.port, apiKey: state.apiKey, org: ORG }, shape);
    const bar = new ProgressBar(`connecting ${target}`, total);
    const ramp = await pool.connect(
      total,
      {
        target,
        host: HOST,
        port: proc.port,
        maxInFlight: options.maxInFlight,
        handshakeTimeoutMs: 30_000,
        channels: [],
        slowEvery: 0,
        slowChannels: [],
        jwtSecret: state.jwtSecret,
        org: ORG,
        rooms: shape,
        roomsVia: via,
      },
      (ready, failed) => bar.update(ready, failed),
    );
    bar.done(ramp.ready, ramp.failed);
    if (ramp.ready === 0)
      throw new Error(`no connection to ${target} succeeded: ${ramp.errors.join('; ')}`);
    // A smoke run's memory figures mean nothing: it need not wait for them to settle.
    await sleep(options.smoke ? SMOKE_SETTLE_MS : SETTLE_MS);
    const idle = await proc.measure();
    const figure = await chatRooms({ proc, pool }, state, base, idle, ramp.ready);
    figure.metrics = { connections: ramp.ready, failed: ramp.failed, ...figure.metrics };
    if (ramp.errors.length > 0)
      figure.notes = [...ramp.errors.map((e) => `connect failed: ${e}`), ...(figure.notes ?? [])];
    collect('rooms', via === 'chat' ? { ...figure, variant: CHAT_VARIANT } : figure);
  } finally {
    await pool.disconnect().finally(() => proc.stop());
  }
}

/** The measured part: the messages at the fixed rate, until every member has every one. */
async function chatRooms(
  host: WindowHost & { proc: TargetProcess; pool: LoadPool },
  state: RunState,
  base: MeasuredReply,
  idle: MeasuredReply,
  connections: number,
): Promise<RoundFigure> {
  const { options } = state;
  const rate = options.roomRatePerSec;
  const total = Math.max(1, Math.round(rate * options.roomDurationSec));
  const fanout = roomConnections(options.rooms);
  let published: RoomsPublished = { sent: 0, unsent: 0, maxLagMs: 0 };
  let startAtMs = 0;
  let peakRssBytes = idle.rssBytes;
  const sampler = setInterval(() => {
    host.proc.sample().then(
      (x) => (peakRssBytes = Math.max(peakRssBytes, x.rssBytes)),
      () => {}, // a target that died shows up in the window's figures
    );
  }, RSS_SAMPLE_MS);
  const m = await measureWindow(
    host,
    async () => {
      startAtMs = nowMs() + START_DELAY_MS;
      published = await host.pool.publishRooms({ startAtMs, ratePerSec: rate, total });
      peakRssBytes = Math.max(peakRssBytes, (await host.proc.sample()).rssBytes);
    },
    total * fanout,
    () => total,
  ).finally(() => clearInterval(sampler));
  const w = m.window;
  const latency = summarizeLatency(w.samples);
  const spanMs = w.lastRecvMs - startAtMs;
  const notes = closeNotes([m]);
  if (published.unsent > 0)
    notes.push(`${published.unsent} message(s) not sent: their sender's connection was not open`);
  if (published.maxLagMs > LAG_NOTE_MS)
    notes.push(
      `the generator sent some messages up to ${Math.round(published.maxLagMs)} ms after they were due`,
    );
  if (w.stray > 0) notes.push(`${w.stray} event(s) reached a connection outside their room`);
  if (w.refused > 0)
    notes.push(`${w.refused} publish(es) refused, e.g. ${w.refusals.slice(0, 2).join(' | ')}`);
  return {
    metrics: {
      connsPerRoom: fanout,
      messageRatePerSec: rate,
      published: published.sent,
      unsent: published.unsent,
      deliveriesPerSec:
        w.deliveries > 0 && spanMs > 0 ? (w.deliveries / spanMs) * 1000 : Number.NaN,
      p50Ms: latency.p50,
      p99Ms: latency.p99,
      p999Ms: latency.p999,
      maxMs: latency.max,
      cpuPerDeliveryUs: w.deliveries > 0 ? m.targetCpuMicros / w.deliveries : Number.NaN,
      rssBytes: idle.rssBytes,
      rssPerConnBytes: (idle.rssBytes - base.rssBytes) / connections,
      peakRssBytes,
      stray: w.stray,
      refused: w.refused,
    },
    latency,
    lost: w.lost,
    duplicated: w.duplicated,
    generatorCpu: m.generatorCpu,
    targetCpu: m.targetCpu,
    generatorBound: m.generatorBound,
    ...(notes.length > 0 ? { notes } : {}),
  };
}

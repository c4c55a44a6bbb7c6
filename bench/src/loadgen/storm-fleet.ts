/**
 * A worker's `storm` clients (storm-client.ts): the ramp, then the two waits of the scenario,
 * each ended by the clients' own news rather than by polling: until every client has dropped
 * and is live again (the restart), and until every live client has the events published after
 * that (the books then close: lost and repeated events per client, over the whole run).
 */
import { ADAPTERS } from './adapters.js';
import { identities } from './identities.js';
import { nowMs } from './payload.js';
import { StormClient, type StormEvents } from './storm-client.js';
import type { StormSpec, WorkerReply } from './worker-protocol.js';

const PROGRESS_EVERY_MS = 100;
/** Failure reasons kept for the report. */
const REASONS_KEPT = 5;

type Reply = (msg: WorkerReply, transfer?: ArrayBuffer[]) => void;

interface Ramp {
  ready: number;
  failed: number;
  lastReadyMs: number;
  /** Frees a handshake slot and starts the next client. */
  settle(): void;
}

export class StormFleet {
  private clients: StormClient[] = [];
  /** Clients that dropped and are live again. */
  private back = 0;
  private ramp: Ramp | undefined;
  private recovery: { id: number; timer: NodeJS.Timeout; progress: NodeJS.Timeout } | undefined;
  private ending:
    | { id: number; fromSeq: number; lastSeq: number; behind: number; timer: NodeJS.Timeout }
    | undefined;
  private closes: Record<string, number> = {};
  private readonly reasons = new Set<string>();

  private readonly events: StormEvents = {
    live: (c) => {
      if (c.drops === 0) {
        const r = this.ramp;
        if (r !== undefined) {
          r.ready++;
          r.lastReadyMs = c.liveAtMs;
          this.clients.push(c);
          r.settle();
        }
        return;
      }
      if (++this.back === this.clients.length) this.finishRecovery();
    },
    dropped: (c, closeCode) => {
      const code = String(closeCode);
      this.closes[code] = (this.closes[code] ?? 0) + 1;
      if (c.drops > 1) this.back--; // it had come back, and is gone again
      const e = this.ending;
      // A client that dropped during the last wait will not be waited for.
      if (e !== undefined && c.lacking > 0) {
        c.lacking = 0;
        if (--e.behind === 0) this.finishEnd();
      }
    },
    attemptFailed: (c, reason) => {
      if (this.reasons.size < REASONS_KEPT) this.reasons.add(reason);
      if (c.drops === 0 && c.liveAtMs === 0 && this.ramp !== undefined) {
        this.ramp.failed++;
        this.ramp.settle();
      }
    },
    delivered: (c, seq) => {
      const e = this.ending;
      if (e === undefined || c.lacking === 0 || seq < e.fromSeq || seq > e.lastSeq) return;
      if (--c.lacking === 0 && --e.behind === 0) this.finishEnd();
    },
  };

  constructor(private readonly reply: Reply) {}

  /** Connects this worker's clients, a bounded number of handshakes at a time. */
  async connect(id: number, spec: StormSpec): Promise<void> {
    this.stop();
    const adapter = ADAPTERS[spec.target];
    const ids = await identities({ ...spec, slowEvery: 0, slowChannels: [] });
    const startedMs = nowMs();
    let next = 0;
    let inFlight = 0;
    const ramp: Ramp = (this.ramp = { ready: 0, failed: 0, lastReadyMs: 0, settle: () => {} });
    const progress = setInterval(
      () => this.reply({ type: 'progress', ready: ramp.ready, failed: ramp.failed }),
      PROGRESS_EVERY_MS,
    );
    await new Promise<void>((resolve) => {
      const launch = (): void => {
        while (inFlight < spec.maxInFlight && next < spec.count) {
          const i = next++;
          inFlight++;
          const client = new StormClient(
            spec.firstIndex + i,
            {
              host: spec.host,
              port: spec.port,
              adapter,
              channels: spec.channels,
              token: ids[i]?.token ?? '',
              backoff: spec.backoff,
              handshakeTimeoutMs: spec.handshakeTimeoutMs,
            },
            this.events,
          );
          client.connect();
        }
        if (inFlight === 0 && next >= spec.count) resolve();
      };
      ramp.settle = () => {
        inFlight--;
        launch();
      };
      launch();
    });
    clearInterval(progress);
    this.ramp = undefined;
    this.reply({
      type: 'connected',
      id,
      ready: ramp.ready,
      failed: ramp.failed,
      errors: [...this.reasons],
      startedMs,
      lastReadyMs: ramp.lastReadyMs,
    });
    this.reasons.clear();
  }

  /** Answers once every client has dropped and is live again, or after `waitMs`. */
  awaitRecovery(id: number, waitMs: number): void {
    this.recovery = {
      id,
      timer: setTimeout(() => this.finishRecovery(), waitMs),
      progress: setInterval(
        () => this.reply({ type: 'progress', ready: this.back, failed: 0 }),
        PROGRESS_EVERY_MS,
      ),
    };
    if (this.back === this.clients.length) this.finishRecovery();
  }

  /** Waits until every live client has `fromSeq..lastSeq` (or `waitMs`), then settles. */
  end(id: number, fromSeq: number, lastSeq: number, waitMs: number): void {
    let behind = 0;
    for (const c of this.clients) {
      c.lacking = c.live ? c.seen.missing(fromSeq, lastSeq) : 0;
      if (c.lacking > 0) behind++;
    }
    this.ending = {
      id,
      fromSeq,
      lastSeq,
      behind,
      timer: setTimeout(() => this.finishEnd(), waitMs),
    };
    if (behind === 0) this.finishEnd();
  }

  /** Stops every client and forgets them; a pending wait is answered first. */
  stop(): void {
    this.finishRecovery();
    this.finishEnd();
    for (const c of this.clients) c.stop();
    this.clients = [];
    this.back = 0;
    this.closes = {};
    this.reasons.clear();
  }

  private finishRecovery(): void {
    const r = this.recovery;
    if (r === undefined) return;
    this.recovery = undefined;
    clearTimeout(r.timer);
    clearInterval(r.progress);
    const reconnectMs: number[] = [];
    let firstDropMs = 0;
    let lastLiveMs = 0;
    let resets = 0;
    let failedAttempts = 0;
    let drops = 0;
    for (const c of this.clients) {
      resets += c.resets;
      failedAttempts += c.failedAttempts;
      drops += c.drops;
      if (c.drops === 0) continue;
      if (firstDropMs === 0 || c.firstDropAtMs < firstDropMs) firstDropMs = c.firstDropAtMs;
      if (!c.live) continue;
      reconnectMs.push(c.liveAtMs - c.firstDropAtMs);
      if (c.liveAtMs > lastLiveMs) lastLiveMs = c.liveAtMs;
    }
    const samples = Float64Array.from(reconnectMs);
    this.reply(
      {
        type: 'stormRecovered',
        id: r.id,
        clients: this.clients.length,
        back: this.back,
        firstDropMs,
        lastLiveMs,
        reconnectMs: samples,
        resets,
        failedAttempts,
        failures: [...this.reasons],
        drops,
        closes: this.closes,
      },
      [samples.buffer],
    );
  }

  private finishEnd(): void {
    const e = this.ending;
    if (e === undefined) return;
    this.ending = undefined;
    clearTimeout(e.timer);
    let live = 0;
    let deliveries = 0;
    let lost = 0;
    let duplicated = 0;
    let clientsWithLoss = 0;
    let maxLostPerClient = 0;
    let clientsWithDuplicates = 0;
    for (const c of this.clients) {
      c.lacking = 0;
      if (c.live) live++;
      const missing = c.seen.missing(1, e.lastSeq);
      deliveries += e.lastSeq - missing;
      lost += missing;
      if (missing > 0) clientsWithLoss++;
      if (missing > maxLostPerClient) maxLostPerClient = missing;
      duplicated += c.seen.duplicates;
      if (c.seen.duplicates > 0) clientsWithDuplicates++;
    }
    this.reply({
      type: 'stormEnded',
      id: e.id,
      clients: this.clients.length,
      live,
      deliveries,
      lost,
      duplicated,
      clientsWithLoss,
      maxLostPerClient,
      clientsWithDuplicates,
    });
  }
}

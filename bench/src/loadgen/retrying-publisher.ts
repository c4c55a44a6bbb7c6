/**
 * `storm`'s publisher: numbered W1 events at a steady rate through a target's HTTP trigger for
 * the whole scenario, each tried again until the target accepts it, whatever the restart does
 * to the requests (refused connections, resets, 503 while hubcast drains). Hubcast gets the
 * same idempotency `key` on every try of one event (PROTOCOL.md §2.4, §8), so a retry whose
 * first try was in fact appended (its reply lost to the restart) adds nothing: the answer says
 * `duplicate: true`. The peers have no such key; a retry of a publish they did fan out repeats it.
 *
 * Events go out in sequence order, at most `maxInFlight` at a time; while the target is down
 * the due ones queue, and then go as fast as it takes them.
 */
import { Agent } from 'node:http';
import { httpCall } from './http-call.js';
import { eventData, nowMs } from './payload.js';
import type { PublishRoute } from './publisher.js';
import { reconnectDelayMs, type Backoff } from './reconnect-delay.js';

/** Between tries of one event: short, so the backlog goes soon after the target is back. */
const RETRY_BACKOFF: Backoff = { minMs: 25, maxMs: 500 };
/** A request the target neither answers nor refuses (a dropped SYN) is tried again. */
const REQUEST_TIMEOUT_MS = 5000;
const DUPLICATE = '"duplicate":true';

export interface RetryingPublisherOptions {
  host: string;
  port: number;
  route: PublishRoute;
  channel: string;
  ratePerSec: number;
  maxInFlight: number;
  /** Hubcast idempotency keys are `<keyPrefix><seq>`. */
  keyPrefix: string;
}

export interface PublisherFigures {
  /** Events numbered so far (the last sequence number). */
  published: number;
  /** Events the target accepted (one 2xx each). */
  accepted: number;
  /** Tries after a failed one. */
  retries: number;
  /** Hubcast retries answered `duplicate: true`: the first try had been appended. */
  duplicateAcks: number;
  /** Events refused with a 4xx (a bug, not the restart): not tried again. */
  rejected: number;
  rejections: string[];
}

export class RetryingPublisher {
  private seq = 0;
  private nextToSend = 1;
  private inFlight = 0;
  private readonly figures: PublisherFigures = {
    published: 0,
    accepted: 0,
    retries: 0,
    duplicateAcks: 0,
    rejected: 0,
    rejections: [],
  };
  private readonly agent: Agent;
  private ticker: NodeJS.Timeout | undefined;
  private readonly retryTimers = new Set<NodeJS.Timeout>();
  private drained: (() => void) | undefined;

  constructor(private readonly o: RetryingPublisherOptions) {
    this.agent = new Agent({ keepAlive: true, maxSockets: o.maxInFlight, timeout: 4000 });
  }

  /** The sequence number of the last event numbered (0 before any). */
  get lastSeq(): number {
    return this.seq;
  }

  get stats(): PublisherFigures {
    return { ...this.figures, published: this.seq, rejections: [...this.figures.rejections] };
  }

  /** Starts numbering events at the rate: event n is due `(n - 1) / rate` seconds from now. */
  start(): void {
    const startMs = nowMs();
    const periodMs = Math.max(5, 1000 / this.o.ratePerSec);
    const tick = (): void => {
      const due = Math.floor(((nowMs() - startMs) * this.o.ratePerSec) / 1000) + 1;
      while (this.seq < due) this.seq++;
      this.pump();
    };
    tick();
    this.ticker = setInterval(tick, periodMs);
  }

  /** Stops numbering; resolves once every event numbered has been accepted (or refused). */
  async stop(): Promise<void> {
    clearInterval(this.ticker);
    this.ticker = undefined;
    if (this.inFlight > 0 || this.nextToSend <= this.seq)
      await new Promise<void>((resolve) => (this.drained = resolve));
  }

  /** Gives up on whatever is still trying (a failed scenario) and closes the sockets. */
  close(): void {
    clearInterval(this.ticker);
    for (const t of this.retryTimers) clearTimeout(t);
    this.retryTimers.clear();
    this.agent.destroy();
    this.drained?.();
  }

  private pump(): void {
    while (this.inFlight < this.o.maxInFlight && this.nextToSend <= this.seq) {
      const seq = this.nextToSend++;
      this.inFlight++;
      const body = this.o.route.item(
        this.o.channel,
        eventData(seq, nowMs()),
        `${this.o.keyPrefix}${seq}`,
      );
      this.attempt(body, 0);
    }
    if (this.inFlight === 0 && this.nextToSend > this.seq && this.ticker === undefined) {
      const done = this.drained;
      this.drained = undefined;
      done?.();
    }
  }

  private attempt(body: string, tries: number): void {
    if (tries > 0) this.figures.retries++;
    this.post(body).then(
      (answer) => {
        if (answer.ok) {
          this.figures.accepted++;
          if (answer.text.includes(DUPLICATE)) this.figures.duplicateAcks++;
        } else {
          this.figures.rejected++;
          if (this.figures.rejections.length < 3) this.figures.rejections.push(answer.text);
        }
        this.inFlight--;
        this.pump();
      },
      () => {
        const timer = setTimeout(
          () => {
            this.retryTimers.delete(timer);
            this.attempt(body, tries + 1);
          },
          reconnectDelayMs(tries, undefined, RETRY_BACKOFF),
        );
        this.retryTimers.add(timer);
      },
    );
  }

  /**
   * One try: resolves with the answer of a 2xx (`ok`) or a 4xx (refused for good); rejects on
   * what a restart causes (no connection, a reset, a timeout, a 5xx such as hubcast's 503 while
   * it drains), which is tried again.
   */
  private async post(body: string): Promise<{ ok: boolean; text: string }> {
    const { status, text } = await httpCall({
      host: this.o.host,
      port: this.o.port,
      agent: this.agent,
      method: 'POST',
      path: this.o.route.path,
      headers: this.o.route.headers,
      body,
      timeoutMs: REQUEST_TIMEOUT_MS,
    });
    if (status >= 200 && status < 300) return { ok: true, text };
    if (status >= 400 && status < 500) return { ok: false, text: `${status}: ${text}` };
    throw new Error(`publish answered ${status}`);
  }
}

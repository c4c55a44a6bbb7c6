/**
 * SDK clients (`@hubcast/client`, reconnecting by themselves) that record what happened to
 * them, for tests that watch many clients move between nodes: every handshake, every close
 * with its context, every event. A group's waits resolve on those happenings, never on a clock.
 */
import {
  HubcastClient,
  type ConnectedContext,
  type DisconnectedContext,
  type HubcastEvent,
} from '@hubcast/client';
import WebSocket from 'ws';
import { signTestToken } from './test-node.js';

export class TrackedClient {
  readonly client: HubcastClient;
  readonly connects: ConnectedContext[] = [];
  readonly closes: DisconnectedContext[] = [];
  readonly events: HubcastEvent[] = [];

  /** A client of `user` in org `acme`, subscribed to `channel`; calls `onChange` after each record. */
  constructor(url: string, user: string, channel: string, onChange: () => void) {
    this.client = new HubcastClient({
      url,
      getToken: () => signTestToken({ sub: user, org: 'acme', subscribe: [channel] }),
      WebSocket,
      // A refused attempt is retried soon: the tests wait on moves, not on backoff.
      minReconnectDelayMs: 20,
      maxReconnectDelayMs: 200,
    });
    const record = <T>(list: T[], item: T): void => {
      list.push(item);
      onChange();
    };
    this.client.on('connected', (ctx) => record(this.connects, ctx));
    this.client.on('disconnected', (ctx) => record(this.closes, ctx));
    this.client.subscribe(channel, (event) => record(this.events, event));
  }

  describe(): string {
    const closes = this.closes.map((c) => c.code).join(',');
    return `${this.client.state}: ${this.connects.length} connects, closes [${closes}], ${this.events.length} events`;
  }
}

/** Clients of one test, all on one URL and channel, and waits on what happens to them. */
export class ClientGroup {
  readonly clients: TrackedClient[] = [];
  private readonly checks = new Set<() => void>();

  constructor(
    private readonly url: string,
    private readonly channel: string,
  ) {}

  /** Connects `count` clients one after another, so a balancer sees each before the next. */
  async connect(count: number, userPrefix: string): Promise<TrackedClient[]> {
    const added: TrackedClient[] = [];
    for (let i = 0; i < count; i++) {
      const tracked = new TrackedClient(this.url, `${userPrefix}-${i}`, this.channel, () =>
        this.changed(),
      );
      this.clients.push(tracked);
      added.push(tracked);
      await tracked.client.connect();
    }
    return added;
  }

  /** Resolves once `condition` holds; fails after `timeoutMs` naming `what` and every client. */
  until(what: string, condition: () => boolean, timeoutMs = 10_000): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        if (!condition()) return;
        clearTimeout(timer);
        this.checks.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.checks.delete(check);
        const story = this.clients.map((c, i) => `  ${i}: ${c.describe()}`).join('\n');
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}\n${story}`));
      }, timeoutMs);
      this.checks.add(check);
    });
  }

  /** Closes every client for good. */
  disconnectAll(): void {
    for (const c of this.clients) c.client.disconnect();
  }

  private changed(): void {
    for (const check of [...this.checks]) check();
  }
}

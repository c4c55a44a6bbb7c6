/**
 * Publishes W1 events to a target over HTTP, the way each is triggered in production:
 * hubcast through its own `POST /api/publish` (admin key, `org` per item), the peers through
 * their `POST /publish`. Sequence numbers are global to one target session, starting at 1.
 */
import { Agent, request } from 'node:http';
import type { TargetName } from '../results.js';
import { eventData, nowMs, PAYLOAD_BYTES } from './payload.js';

export interface PublishRoute {
  path: string;
  headers: Record<string, string>;
  /**
   * One JSON item of the body for `dataJson` on `channel`; hubcast also takes an idempotency
   * `key` (PROTOCOL.md §8), which the peers have no notion of and are not sent.
   */
  item(channel: string, dataJson: string, key?: string): string;
}

export function publishRoute(target: TargetName, org: string, apiKey: string): PublishRoute {
  if (target === 'hubcast') {
    const orgJson = JSON.stringify(org);
    return {
      path: '/api/publish',
      headers: { authorization: `Bearer ${apiKey}` },
      item: (channel, data, key) =>
        `{"org":${orgJson},"channel":${JSON.stringify(channel)},"data":${data}` +
        (key === undefined ? '}' : `,"key":${JSON.stringify(key)}}`),
    };
  }
  return {
    path: '/publish',
    headers: {},
    item: (channel, data) => `{"channel":${JSON.stringify(channel)},"data":${data}}`,
  };
}

export class Publisher {
  private readonly agent: Agent;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly route: PublishRoute,
    /** Keep-alive connections: publishes fired together spread over a few, as apps do. */
    sockets = 4,
    private readonly payloadBytes = PAYLOAD_BYTES,
    /**
     * The last sequence number already published: a publisher to another node of the same
     * stream (`cluster`) carries on from where the previous one stopped.
     */
    private seq = 0,
  ) {
    // Idle sockets go before the targets' 5 s keep-alive timeout, so a publish never races a
    // server-side close (the timeout only ends sockets in the free list, never a request).
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets, timeout: 4000 });
  }

  /** The sequence number of the last event published (0 before any). */
  get lastSeq(): number {
    return this.seq;
  }

  /** One event in one request; its stamp is taken just before the request is written. */
  publishOne(channel: string): Promise<void> {
    const seq = ++this.seq;
    return this.post(this.route.item(channel, eventData(seq, nowMs(), this.payloadBytes)));
  }

  /** `count` events in one request (an array body): one flush window on the target. */
  publishBatch(channel: string, count: number): Promise<void> {
    const t = nowMs();
    const items: string[] = [];
    for (let i = 0; i < count; i++)
      items.push(this.route.item(channel, eventData(++this.seq, t, this.payloadBytes)));
    return this.post(`[${items.join(',')}]`);
  }

  /** Events without stamps (M8's flood to the slow connections), outside the sequence. */
  publishRaw(channel: string, dataJson: readonly string[]): Promise<void> {
    return this.post(`[${dataJson.map((d) => this.route.item(channel, d)).join(',')}]`);
  }

  close(): void {
    this.agent.destroy();
  }

  private post(body: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const req = request(
        {
          host: this.host,
          port: this.port,
          path: this.route.path,
          method: 'POST',
          agent: this.agent,
          headers: {
            ...this.route.headers,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            if (res.statusCode === 200) return resolve();
            const text = Buffer.concat(chunks).toString('utf8').slice(0, 300);
            reject(new Error(`publish answered ${res.statusCode}: ${text}`));
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }
}

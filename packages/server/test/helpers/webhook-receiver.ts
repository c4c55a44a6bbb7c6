/**
 * A tenant's webhook endpoint for tests: a real `node:http` server on 127.0.0.1 and port 0 that
 * checks each request's signature the way docs/webhooks.md tells receivers to (written out here
 * again, not imported from the server, so a server that signs wrongly fails), answers as the
 * test says (a status, or never: `hang`), and processes each webhook id once, as a receiver
 * that dedupes must.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WebhookPayload {
  id: string;
  type: string;
  org: string;
  created_at: string;
  data: Record<string, unknown>;
}

export interface ReceivedWebhook {
  id: string;
  timestamp: string;
  signature: string;
  body: string;
  payload: WebhookPayload;
  /** The signature checked out and the timestamp is within 5 minutes. */
  valid: boolean;
  /** 1 for the first request with this id, 2 for its first retry, ... */
  attempt: number;
}

/** A status to answer, or `hang`: read the request and never answer. */
export type Answer = number | 'hang';

/** The docs' verification: HMAC-SHA256 of `id.timestamp.body`, hex, `v1=`, 5-minute window. */
export function verifyAsDocumented(
  secret: string,
  id: string,
  timestamp: string,
  body: string,
  signature: string,
): boolean {
  const expected = `v1=${createHmac('sha256', secret).update(`${id}.${timestamp}.${body}`).digest('hex')}`;
  const a = Buffer.from(expected);
  const b = Buffer.from(signature);
  if (a.length !== b.length || !timingSafeEqual(a, b)) return false;
  return Math.abs(Date.now() / 1000 - Number(timestamp)) <= 300;
}

export class WebhookReceiver {
  /** Every request, in arrival order (retries included). */
  readonly requests: ReceivedWebhook[] = [];
  /** Each webhook once: the first request of its id that was answered 2xx. */
  readonly processed: ReceivedWebhook[] = [];
  /** How to answer a request (200 unless set). */
  answer: (r: ReceivedWebhook) => Answer = () => 200;
  private readonly done = new Set<string>();
  private readonly attempts = new Map<string, number>();
  private waiters: (() => void)[] = [];

  private constructor(
    private readonly server: Server,
    readonly secret: string,
  ) {}

  static async start(secret: string): Promise<WebhookReceiver> {
    const server = createServer();
    const receiver = new WebhookReceiver(server, secret);
    server.on('request', (req, res) => void receiver.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  /** Processed webhooks of one type (and user or channel, when given). */
  of(type: string, about?: string): WebhookPayload[] {
    return this.processed
      .map((r) => r.payload)
      .filter(
        (p) =>
          p.type === type &&
          (about === undefined || p.data['user'] === about || p.data['channel'] === about),
      );
  }

  /** Resolves once `isDone` holds; fails after `timeoutMs` listing what arrived. */
  async until(isDone: (r: this) => boolean, timeoutMs = 8000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!isDone(this)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`webhooks not as awaited; received:\n${this.describe()}`);
      await new Promise<void>((wake) => {
        const timer = setTimeout(wake, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          wake();
        });
      });
    }
  }

  describe(): string {
    return this.requests
      .map((r) => `${r.id} #${r.attempt} ${r.payload.type} ${JSON.stringify(r.payload.data)}`)
      .join('\n');
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const header = (name: string): string => String(req.headers[name] ?? '');
    const id = header('hubcast-webhook-id');
    const timestamp = header('hubcast-webhook-timestamp');
    const signature = header('hubcast-webhook-signature');
    const attempt = (this.attempts.get(id) ?? 0) + 1;
    this.attempts.set(id, attempt);
    const received: ReceivedWebhook = {
      id,
      timestamp,
      signature,
      body,
      payload: JSON.parse(body) as WebhookPayload,
      valid: verifyAsDocumented(this.secret, id, timestamp, body, signature),
      attempt,
    };
    this.requests.push(received);
    const answer = received.valid ? this.answer(received) : 400;
    if (answer !== 'hang') {
      res.writeHead(answer).end();
      if (answer >= 200 && answer < 300 && !this.done.has(id)) {
        this.done.add(id);
        this.processed.push(received);
      }
    }
    for (const wake of this.waiters.splice(0)) wake();
  }
}

/**
 * Web Push (RFC 8030) with VAPID (RFC 8292) and aes128gcm payloads (RFC 8291), through the
 * `web-push` library: it signs the VAPID JWT and encrypts the payload (`generateRequestDetails`),
 * and this file makes the request itself, so it can refuse internal addresses at connect time
 * (endpoint-guard.ts), speak plain http to a local test service, and bound time and body size.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import webpush from 'web-push';
import type { PushSubscriptionRecord } from '../../store/push-store.js';
import { checkEndpoint, publicOnlyLookup } from './endpoint-guard.js';
import type { PushMessage, PushOutcome, PushProvider } from './provider.js';

export interface VapidKeys {
  publicKey: string;
  privateKey: string;
  /** `mailto:` or `https:` contact the push service may use. */
  subject: string;
}

export interface WebPushProviderOptions {
  vapid: VapidKeys;
  /** Tests and local development only: see endpoint-guard.ts. */
  allowInsecure: boolean;
  /** One request, connect to response end (default 10 s). */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** Push services answer with a short body; more is not read. */
const RESPONSE_MAX_BYTES = 4096;

export class WebPushProvider implements PushProvider {
  readonly name = 'webpush';

  constructor(private readonly options: WebPushProviderOptions) {}

  async send(target: PushSubscriptionRecord, message: PushMessage): Promise<PushOutcome> {
    let details: ReturnType<typeof webpush.generateRequestDetails>;
    try {
      // Checked again: the rules may be stricter now than when it was registered.
      checkEndpoint(target.endpoint, this.options.allowInsecure);
      details = webpush.generateRequestDetails(
        { endpoint: target.endpoint, keys: { p256dh: target.p256dh, auth: target.auth } },
        message.payload,
        {
          vapidDetails: this.options.vapid,
          TTL: message.ttlSeconds,
          urgency: message.urgency,
          contentEncoding: 'aes128gcm',
        },
      );
    } catch (err) {
      return { type: 'rejected', reason: `cannot build the push: ${(err as Error).message}` };
    }
    try {
      const res = await this.post(details);
      return outcomeOf(res.status, res.retryAfter);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EPUSHPRIVATE') return { type: 'rejected', reason: (err as Error).message };
      return { type: 'retry', reason: `request failed: ${code ?? (err as Error).message}` };
    }
  }

  private post(details: webpush.RequestDetails): Promise<{ status: number; retryAfter?: string }> {
    const url = new URL(details.endpoint);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(details.headers)) headers[k] = String(v);
    const options = {
      method: details.method,
      headers,
      timeout: this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      ...(this.options.allowInsecure ? {} : { lookup: publicOnlyLookup }),
    };
    return new Promise((resolve, reject) => {
      const onResponse = (res: IncomingMessage): void => {
        let read = 0;
        res.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > RESPONSE_MAX_BYTES) res.destroy();
        });
        const done = (): void => {
          const retryAfter = res.headers['retry-after'];
          resolve({
            status: res.statusCode ?? 0,
            ...(retryAfter === undefined ? {} : { retryAfter }),
          });
        };
        res.on('end', done);
        res.on('close', done);
        res.on('error', done);
      };
      const req =
        url.protocol === 'https:'
          ? httpsRequest(url, options, onResponse)
          : httpRequest(url, options, onResponse);
      req.on('timeout', () =>
        req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })),
      );
      req.on('error', reject);
      req.end(details.body ?? undefined);
    });
  }
}

/** The push service's answer (RFC 8030 §5, §8.4) as an outcome. */
export function outcomeOf(status: number, retryAfter?: string): PushOutcome {
  if (status >= 200 && status < 300) return { type: 'delivered' };
  if (status === 404 || status === 410)
    return { type: 'gone', reason: `push service answered ${status}` };
  if (status === 429 || status >= 500) {
    const afterMs = retryAfterMs(retryAfter);
    return {
      type: 'retry',
      reason: `push service answered ${status}`,
      ...(afterMs === undefined ? {} : { retryAfterMs: afterMs }),
    };
  }
  return { type: 'rejected', reason: `push service answered ${status}` };
}

/** `Retry-After` in seconds or as an HTTP date, relative to now; undefined when absent or bad. */
export function retryAfterMs(header: string | undefined, nowMs = Date.now()): number | undefined {
  if (header === undefined) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

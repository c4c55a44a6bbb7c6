/**
 * One attempt of one webhook: a signed POST (docs/webhooks.md "Requests"). 2xx is delivered;
 * any other status, a redirect (not followed: the endpoint is configured, not discovered), a
 * network error or no answer within the timeout is a failure to retry. The answer's body is
 * never read, so a receiver cannot make a node buffer it.
 */
import { signWebhook } from './signature.js';

export interface WebhookEndpoint {
  url: string;
  secret: string;
}

export interface AttemptResult {
  ok: boolean;
  status?: number;
  /** Why it failed, naming no secret and no URL (it may hold credentials). */
  error?: string;
}

export interface SendInput {
  id: string;
  body: string;
  endpoint: WebhookEndpoint;
  timeoutMs: number;
  nowSeconds: number;
  /** Aborts the request at once (the node stops). */
  signal?: AbortSignal;
}

export async function sendWebhook(input: SendInput): Promise<AttemptResult> {
  const timeout = AbortSignal.timeout(input.timeoutMs);
  const signal = input.signal === undefined ? timeout : AbortSignal.any([timeout, input.signal]);
  try {
    const res = await fetch(input.endpoint.url, {
      method: 'POST',
      redirect: 'manual',
      signal,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'hubcast-webhooks/1',
        'hubcast-webhook-id': input.id,
        'hubcast-webhook-timestamp': String(input.nowSeconds),
        'hubcast-webhook-signature': signWebhook(
          input.endpoint.secret,
          input.id,
          input.nowSeconds,
          input.body,
        ),
      },
      body: input.body,
    });
    await res.body?.cancel().catch(() => undefined);
    if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
    return { ok: false, status: res.status, error: `HTTP ${res.status}` };
  } catch (err) {
    if (timeout.aborted) return { ok: false, error: `no answer within ${input.timeoutMs} ms` };
    if (input.signal?.aborted === true) return { ok: false, error: 'aborted: the node stopped' };
    return { ok: false, error: describeNetworkError(err) };
  }
}

/** fetch says "fetch failed"; the cause's code (ECONNREFUSED, ENOTFOUND, ...) says why. */
function describeNetworkError(err: unknown): string {
  const cause = err instanceof Error ? (err.cause as { code?: unknown } | undefined) : undefined;
  if (typeof cause?.code === 'string') return `network error: ${cause.code}`;
  return 'network error';
}

/**
 * The webhook signature (docs/webhooks.md "Verifying"), as in Standard Webhooks and Stripe:
 * `v1=` and the hex HMAC-SHA256 of `<id>.<timestamp>.<raw body>` under the tenant's secret.
 * The id and timestamp are signed too, so a captured request cannot be replayed under another
 * id or, past the receiver's window, at another time.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export function signWebhook(
  secret: string,
  id: string,
  timestampSeconds: number,
  body: string,
): string {
  const mac = createHmac('sha256', secret).update(`${id}.${timestampSeconds}.${body}`);
  return `v1=${mac.digest('hex')}`;
}

/**
 * What a receiver does: true when `signature` is ours for these bytes and the timestamp is
 * within `toleranceSeconds` of `nowSeconds`. Compares in constant time.
 */
export function verifyWebhook(
  secret: string,
  headers: { id: string; timestamp: string; signature: string },
  body: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  const timestamp = Number(headers.timestamp);
  if (!/^\d{1,12}$/.test(headers.timestamp)) return false;
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(signWebhook(secret, headers.id, timestamp, body));
  const given = Buffer.from(headers.signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * One way of reaching an offline device (docs/push.md "Providers"). Web Push implements it
 * (`web-push-provider.ts`); an FCM or APNs provider would be a second implementation, picked by
 * the subscription's kind. The dispatcher (`dispatcher.ts`) owns retries, backoff and the
 * forgetting of dead subscriptions: a provider only sends once and says what happened.
 */
import type { PushSubscriptionRecord } from '../../store/push-store.js';

export type PushUrgency = 'very-low' | 'low' | 'normal' | 'high';

export interface PushMessage {
  /** JSON text of `{id, kind, title, body?, data?, truncated?}`, within `PUSH_PAYLOAD_MAX_BYTES`. */
  payload: string;
  /** How long the push service may hold it for a device that is off. */
  ttlSeconds: number;
  urgency: PushUrgency;
}

/** What one send came to. A provider resolves with one of these and never rejects. */
export type PushOutcome =
  /** The push service accepted it. */
  | { type: 'delivered' }
  /** The subscription or token no longer exists (Web Push 404/410, FCM UNREGISTERED): forget it. */
  | { type: 'gone'; reason: string }
  /** Try again later (429, 5xx, network), after `retryAfterMs` when the service said so. */
  | { type: 'retry'; reason: string; retryAfterMs?: number }
  /** Refused for good (another 4xx): dropped and logged. */
  | { type: 'rejected'; reason: string };

export interface PushProvider {
  /** For logs and metrics, e.g. `webpush`. */
  readonly name: string;
  send(target: PushSubscriptionRecord, message: PushMessage): Promise<PushOutcome>;
}

/** Rows of the Web Push tables as both SQL backends read them, and their conversions. */
import type { PushDelivery, PushSubscriptionRecord } from './push-store.js';

export interface SubscriptionRow {
  endpoint: string;
  p256dh: string;
  auth: string;
  device: string | null;
  /** A number from SQLite, a string from PostgreSQL's bigint. */
  created_at: number | string;
}

export interface DeliveryRow {
  id: number | string;
  org: string;
  user_id: string;
  notification_id: string;
  payload: string;
  endpoint: string | null;
  not_before: number | string;
  attempts: number;
}

export const DELIVERY_COLUMNS =
  'id, org, user_id, notification_id, payload, endpoint, not_before, attempts';

export function subscriptionOf(row: SubscriptionRow): PushSubscriptionRecord {
  return {
    endpoint: row.endpoint,
    p256dh: row.p256dh,
    auth: row.auth,
    ...(row.device === null ? {} : { device: row.device }),
    createdAtMs: Number(row.created_at),
  };
}

export function deliveryOf(row: DeliveryRow): PushDelivery {
  return {
    id: String(row.id),
    org: row.org,
    user: row.user_id,
    notificationId: row.notification_id,
    payload: row.payload,
    ...(row.endpoint === null ? {} : { endpoint: row.endpoint }),
    notBeforeMs: Number(row.not_before),
    attempts: row.attempts,
  };
}

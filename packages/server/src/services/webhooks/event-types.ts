/** The webhook events hubcast sends (docs/webhooks.md); a leaf file the config schema imports. */
export const WEBHOOK_EVENT_TYPES = [
  'user.online',
  'user.offline',
  'channel.occupied',
  'channel.vacated',
  'notification.undelivered',
] as const;

export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

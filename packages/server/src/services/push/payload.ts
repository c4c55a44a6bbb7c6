/**
 * The JSON a device receives (docs/push.md "Payload"). Web Push carries at most 4096 bytes per
 * message, and RFC 8291's aes128gcm takes 103 of them (86 header, 1 padding delimiter, 16 tag),
 * leaving 3993 for the JSON. A notification too big for it loses `data`, then `body`, then the
 * end of its title, and says `truncated: true`: the app then reads it from the inbox by `id`.
 */
import type { JsonValue } from '@hubcast/protocol';

export const PUSH_PAYLOAD_MAX_BYTES = 3993;

export interface PushNotification {
  id: string;
  kind: string;
  title: string;
  body?: string;
  data?: JsonValue;
}

export function buildPushPayload(n: PushNotification, maxBytes = PUSH_PAYLOAD_MAX_BYTES): string {
  const full = JSON.stringify(wire(n, false));
  if (Buffer.byteLength(full) <= maxBytes) return full;
  const { data: _data, ...withoutData } = n;
  const noData = JSON.stringify(wire(withoutData, true));
  if (Buffer.byteLength(noData) <= maxBytes) return noData;
  const { body: _body, ...bare } = withoutData;
  let title = [...bare.title];
  // Cut code points (never half a character) until it fits; kind and id are short (64 chars).
  for (;;) {
    const text = JSON.stringify(wire({ ...bare, title: title.join('') }, true));
    const over = Buffer.byteLength(text) - maxBytes;
    if (over <= 0 || title.length === 0) return text;
    title = title.slice(0, Math.max(0, title.length - Math.max(1, Math.ceil(over / 4))));
  }
}

function wire(n: PushNotification, truncated: boolean): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = { id: n.id, kind: n.kind, title: n.title };
  if (n.body !== undefined) out['body'] = n.body;
  if (n.data !== undefined) out['data'] = n.data;
  if (truncated) out['truncated'] = true;
  return out;
}

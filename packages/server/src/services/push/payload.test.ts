import { describe, expect, it } from 'vitest';
import { buildPushPayload, PUSH_PAYLOAD_MAX_BYTES } from './payload.js';

const base = { id: '7', kind: 'mention', title: 'Hello' };

describe('buildPushPayload', () => {
  it('keeps a notification that fits whole, without a truncated flag', () => {
    const n = { ...base, body: 'there', data: { doc: 1 } };
    expect(JSON.parse(buildPushPayload(n))).toEqual(n);
  });

  it.each([
    // [notification, what the device gets]
    [
      { ...base, body: 'b', data: 'd'.repeat(5000) },
      { ...base, body: 'b', truncated: true },
    ],
    [
      { ...base, body: 'b'.repeat(5000), data: 1 },
      { ...base, truncated: true },
    ],
    [
      { ...base, body: 'b'.repeat(3900) },
      { ...base, body: 'b'.repeat(3900) },
    ], // fits as is
  ])('cuts %#', (n, expected) => {
    const text = buildPushPayload(n);
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(PUSH_PAYLOAD_MAX_BYTES);
    expect(JSON.parse(text)).toEqual(expected);
  });

  it('shortens a title of 4-byte characters by whole characters to fit', () => {
    const title = '😀'.repeat(1024); // 4096 bytes
    const text = buildPushPayload({ ...base, title, body: 'x' });
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(PUSH_PAYLOAD_MAX_BYTES);
    const parsed = JSON.parse(text) as { title: string; truncated: boolean; body?: string };
    expect(parsed.truncated).toBe(true);
    expect(parsed.body).toBeUndefined();
    expect(title.startsWith(parsed.title)).toBe(true);
    expect(parsed.title.length).toBeGreaterThan(1800);
  });
});

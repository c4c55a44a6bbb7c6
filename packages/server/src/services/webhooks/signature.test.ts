import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { signWebhook, verifyWebhook } from './signature.js';

const SECRET = 'whsec-0123456789abcdef';
const BODY =
  '{"id":"wh_1","type":"user.online","org":"acme","created_at":"2026-01-01T00:00:00.000Z","data":{"user":"ann"}}';

describe('signWebhook', () => {
  it('is v1= and the hex HMAC-SHA256 of id.timestamp.body', () => {
    const expected = createHmac('sha256', SECRET).update(`wh_1.1700000000.${BODY}`).digest('hex');
    expect(signWebhook(SECRET, 'wh_1', 1_700_000_000, BODY)).toBe(`v1=${expected}`);
  });
});

describe('verifyWebhook', () => {
  const good = {
    id: 'wh_1',
    timestamp: '1700000000',
    signature: signWebhook(SECRET, 'wh_1', 1_700_000_000, BODY),
  };
  it.each([
    ['the signed request', good, BODY, SECRET, 1_700_000_000, true],
    ['at the edge of the window', good, BODY, SECRET, 1_700_000_300, true],
    ['past the window (a replay)', good, BODY, SECRET, 1_700_000_301, false],
    ['from the future past the window', good, BODY, SECRET, 1_699_999_699, false],
    ['another body', good, `${BODY} `, SECRET, 1_700_000_000, false],
    ['another id', { ...good, id: 'wh_2' }, BODY, SECRET, 1_700_000_000, false],
    ['another timestamp', { ...good, timestamp: '1700000001' }, BODY, SECRET, 1_700_000_000, false],
    ['another secret', good, BODY, `${SECRET}x`, 1_700_000_000, false],
    [
      'a timestamp that is no number',
      { ...good, timestamp: '1e9' },
      BODY,
      SECRET,
      1_000_000_000,
      false,
    ],
    [
      'a truncated signature',
      { ...good, signature: good.signature.slice(0, 10) },
      BODY,
      SECRET,
      1_700_000_000,
      false,
    ],
  ])('%s: %s', (_name, headers, body, secret, now, valid) => {
    expect(verifyWebhook(secret, headers, body, now)).toBe(valid);
  });
});

describe('the verification example of docs/webhooks.md', () => {
  it('accepts what the server signs and refuses a changed body, as written in the docs', async () => {
    const doc = readFileSync(new URL('../../../../../docs/webhooks.md', import.meta.url), 'utf8');
    const code = /```js\n([\s\S]*?)```/.exec(doc)?.[1];
    if (code === undefined) throw new Error('no js example in docs/webhooks.md');
    const { verifyHubcastWebhook } = (await import(
      /* @vite-ignore */ `data:text/javascript,${encodeURIComponent(code)}`
    )) as { verifyHubcastWebhook: (s: string, h: Record<string, string>, b: string) => boolean };
    const now = Math.floor(Date.now() / 1000);
    const headers = {
      'hubcast-webhook-id': 'wh_1',
      'hubcast-webhook-timestamp': String(now),
      'hubcast-webhook-signature': signWebhook(SECRET, 'wh_1', now, BODY),
    };
    expect(verifyHubcastWebhook(SECRET, headers, BODY)).toBe(true);
    expect(verifyHubcastWebhook(SECRET, headers, `${BODY} `)).toBe(false);
    // Signed, but outside the replay window.
    const stale = {
      ...headers,
      'hubcast-webhook-timestamp': String(now - 301),
      'hubcast-webhook-signature': signWebhook(SECRET, 'wh_1', now - 301, BODY),
    };
    expect(verifyHubcastWebhook(SECRET, stale, BODY)).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config/load.js';

const SECRET = 'a-webhook-secret-of-some-length';
const base = { jwtSecret: 'test-secret-0123456789-abcdef', logLevel: 'silent' as const };
const load = (webhooks: unknown, extra: Record<string, unknown> = {}) =>
  loadConfig({ file: { ...base, webhooks, ...extra }, env: {} });

function refusal(webhooks: unknown, extra: Record<string, unknown> = {}): string {
  try {
    load(webhooks, extra);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('the config was accepted');
}

describe('webhooks config', () => {
  it('takes an endpoint per org, with the defaults of the webhook options', () => {
    const config = load([
      { org: 'acme', url: 'https://hooks.example.com/hubcast', secret: SECRET },
      { org: 'globex', url: 'http://10.0.0.5:8080/in', secret: SECRET, events: ['user.online'] },
    ]);
    expect(config.webhooks).toHaveLength(2);
    expect(config.webhookTimeout).toBe(5);
    expect(config.webhookMaxAttempts).toBe(8);
    expect(config.webhookRetryBase).toBe(1);
    expect(config.webhookRetryCap).toBe(600);
  });

  it.each([
    ['ftp://hooks.example.com/x', 'not http(s)'],
    ['hooks.example.com/x', 'no scheme'],
    ['https://', 'no host'],
    ['javascript:alert(1)', 'another scheme'],
  ])('refuses the url %s (%s), naming the key but not the url', (url) => {
    const message = refusal([{ org: 'acme', url, secret: SECRET }]);
    expect(message).toBe(
      "invalid config file key 'webhooks' (at webhooks.0.url): must be an http:// or https:// URL",
    );
  });

  it('refuses a secret shorter than 16 characters without echoing it', () => {
    const message = refusal([
      { org: 'acme', url: 'https://h.example.com', secret: SECRET },
      { org: 'globex', url: 'https://h.example.com', secret: 'short-secret-15' },
    ]);
    expect(message).toBe(
      "invalid config file key 'webhooks' (at webhooks.1.secret): must be at least 16 characters",
    );
    expect(message).not.toContain('short-secret');
  });

  it.each([
    [
      [{ org: 'acme', url: 'https://h.example.com', secret: SECRET, events: ['user.typing'] }],
      /webhooks\.0\.events\.0/,
    ],
    [
      [{ org: 'acme', url: 'https://h.example.com', secret: SECRET, events: [] }],
      /must name at least one event/,
    ],
    [
      [{ org: 'a b', url: 'https://h.example.com', secret: SECRET }],
      /webhooks\.0\.org\): must be a valid org name/,
    ],
    [[{ org: 'acme', url: 'https://h.example.com' }], /webhooks\.0\.secret/],
    [
      [{ org: 'acme', url: 'https://h.example.com', secret: SECRET, extra: 1 }],
      /unknown key 'extra' at webhooks\.0/,
    ],
    [
      [
        { org: 'acme', url: 'https://a.example.com', secret: SECRET },
        { org: 'acme', url: 'https://b.example.com', secret: SECRET },
      ],
      /webhooks names org 'acme' twice/,
    ],
  ])('refuses %j', (webhooks, message) => {
    expect(refusal(webhooks)).toMatch(message);
  });

  it('refuses a retry cap below the base, and webhooks from flags or the environment', () => {
    expect(refusal([], { webhookRetryBase: 10, webhookRetryCap: 5 })).toBe(
      'webhookRetryCap must be at least webhookRetryBase',
    );
    expect(() => loadConfig({ file: base, flags: { webhooks: '[]' }, env: {} })).toThrow(
      'unknown option --webhooks',
    );
    expect(refusal([], { webhookMaxAttempts: 0 })).toMatch(/webhookMaxAttempts/);
    expect(refusal([], { webhookTimeout: 0 })).toMatch(/webhookTimeout/);
  });
});

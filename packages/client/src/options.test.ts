import { describe, expect, it } from 'vitest';
import { HubcastError } from '@hubcast/protocol';
import { resolveClientOptions, type ClientOptions } from './options.js';
import type { WebSocketConstructor } from './transport.js';

class NoSocket {
  readyState = 0;
  protocol = '';
  onopen = null;
  onmessage = null;
  onclose = null;
  onerror = null;
  send(): void {}
  close(): void {}
}
const WebSocket: WebSocketConstructor = NoSocket;
const base: ClientOptions = { url: 'ws://127.0.0.1:1/ws', token: 'secret-token-value', WebSocket };

describe('resolveClientOptions', () => {
  it('fills the defaults', () => {
    expect(resolveClientOptions(base)).toMatchObject({
      echo: true,
      minReconnectDelayMs: 500,
      maxReconnectDelayMs: 20_000,
      offlineQueueSize: 100,
      commandTimeoutMs: 10_000,
      refreshMarginSeconds: undefined,
      maxMessageBytes: 65_536,
    });
  });

  it.each<[Partial<ClientOptions>, RegExp]>([
    [{ url: 'http://x/ws' }, /'url'/],
    [{ token: undefined }, /'token' or 'getToken'/],
    [{ token: '' }, /'token'/],
    [{ minReconnectDelayMs: -1 }, /'minReconnectDelayMs'/],
    [{ minReconnectDelayMs: 5000, maxReconnectDelayMs: 100 }, /'maxReconnectDelayMs'/],
    [{ commandTimeoutMs: 0 }, /'commandTimeoutMs'/],
    [{ offlineQueueSize: Number.NaN }, /'offlineQueueSize'/],
    [{ cursor: '' }, /'cursor'/],
  ])('refuses %j naming the option', (over, message) => {
    const attempt = (): unknown => resolveClientOptions({ ...base, ...over });
    expect(attempt).toThrow(HubcastError);
    expect(attempt).toThrow(message);
    try {
      attempt();
    } catch (e) {
      expect((e as HubcastError).code).toBe('bad_request');
      expect((e as HubcastError).message).not.toContain('secret-token-value');
    }
  });
});

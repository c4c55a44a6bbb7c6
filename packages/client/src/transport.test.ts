import WsWebSocket from 'ws';
import { describe, expect, it } from 'vitest';
import { platformWebSocket, type WebSocketConstructor } from './transport.js';

describe('WebSocketConstructor', () => {
  it('is satisfied by the ws package and by the platform WebSocket (type-checked)', () => {
    const fromWs: WebSocketConstructor = WsWebSocket;
    const fromPlatform: WebSocketConstructor | undefined =
      typeof globalThis.WebSocket === 'function' ? globalThis.WebSocket : undefined;
    expect(typeof fromWs).toBe('function');
    expect(platformWebSocket()).toBe(fromPlatform);
  });
});

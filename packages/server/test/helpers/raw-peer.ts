/**
 * Raw TCP peers for what a WebSocket or HTTP library would not do: upgrades written by hand,
 * resets mid-handshake, sockets that send a request and then nothing.
 */
import { connect, type Socket } from 'node:net';

/** An upgrade request to `path`, with a valid key and version unless `headers` say otherwise. */
export function upgradeRequest(path: string, headers: Record<string, string> = {}): string {
  const lines = [
    `GET ${path} HTTP/1.1`,
    'Host: 127.0.0.1',
    'Upgrade: websocket',
    'Connection: Upgrade',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Version: 13',
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/** Sends `request`, then resets the connection (RST) after `afterMs`; resolves once closed. */
export function sendAndReset(port: number, request: string, afterMs: number): Promise<void> {
  return new Promise((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1', () => {
      socket.write(request);
      setTimeout(() => socket.resetAndDestroy(), afterMs);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve());
  });
}

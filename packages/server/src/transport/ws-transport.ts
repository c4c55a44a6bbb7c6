/**
 * WebSocket upgrade: path, drain state, origin check and subprotocol, then a `Session`. The
 * upgrade request is not kept past this point (its headers are dead weight per connection).
 */
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer } from 'ws';
import { CLOSE_CODES, SUBPROTOCOL_JSON } from '@hubcast/protocol';
import type { UpgradeRefusal } from '../limits/admission.js';
import { isOriginAllowed } from './origin.js';

/**
 * ws closes oversized messages with 1009; PROTOCOL.md §3 wants 4503. Overriding `close` on the
 * server's socket class is the one hook ws offers (its receiver calls `close(1009)`).
 */
class HubcastSocket extends WebSocket {
  override close(code?: number, data?: string | Buffer): void {
    if (code === 1009) super.close(CLOSE_CODES.tooLarge.code, 'message too large');
    else super.close(code, data);
  }
}

export interface TransportOptions {
  maxMessageBytes: number;
  allowedOrigins: readonly string[];
  /** Whether the node takes a new socket now (draining, limits): undefined, or the refusal. */
  admit(address: string, host: string | undefined): UpgradeRefusal | undefined;
  /** The socket is the raw TCP stream under `ws`, for pre-framed writes. */
  onConnection(ws: WebSocket, socket: Duplex, address: string): void;
}

export class WsTransport {
  private readonly wss: WebSocketServer;

  constructor(private readonly options: TransportOptions) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.maxMessageBytes,
      perMessageDeflate: false,
      clientTracking: false,
      WebSocket: HubcastSocket,
      handleProtocols: (protocols) => {
        // No subprotocol asked means JSON; asking only for ones we lack fails the handshake.
        if (protocols.size === 0) return false;
        return protocols.has(SUBPROTOCOL_JSON) ? SUBPROTOCOL_JSON : false;
      },
    });
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // Node removes the HTTP server's socket `error` listener before it emits `upgrade`: until
    // ws takes the socket, an error (a reset mid-refusal) would have no listener and kill the
    // process. ws's own handleUpgrade adds its listener first thing, so ours goes before it.
    socket.on('error', destroyOnError);
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/ws') return refuseUpgrade(socket, 404);
    const address = req.socket.remoteAddress ?? '';
    const refusal = this.options.admit(address, req.headers.host);
    if (refusal !== undefined) return refuseUpgrade(socket, refusal.status, refusal.headers);
    if (!isOriginAllowed(req.headers.origin, req.headers.host, this.options.allowedOrigins))
      return refuseUpgrade(socket, 403);
    const offered = req.headers['sec-websocket-protocol'];
    if (offered !== undefined && !offered.split(',').some((p) => p.trim() === SUBPROTOCOL_JSON))
      return refuseUpgrade(socket, 400);
    socket.off('error', destroyOnError);
    this.wss.handleUpgrade(req, socket, head, (ws) =>
      this.options.onConnection(ws, socket, address),
    );
  }

  close(): void {
    this.wss.close();
  }
}

function destroyOnError(this: Duplex): void {
  this.destroy();
}

/**
 * Answers an upgrade with an HTTP error and destroys the socket once the answer is written,
 * as ws's `abortHandshake` does: no socket is left half-open waiting for the peer's FIN. The
 * caller has put an error listener on the socket first.
 */
export function refuseUpgrade(
  socket: Duplex,
  status: number,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const text = STATUS_CODES[status] ?? 'Error';
  const extra = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  socket.once('finish', () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\n${extra}Content-Length: 0\r\n\r\n`,
  );
}

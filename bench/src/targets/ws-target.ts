/**
 * The plain `ws` peer: the classic hub-and-spoke server. A client joins the rooms named in its
 * URL (`/?room=a&room=b`); a publish (`POST /publish`, or a client's `{channel, data}` message
 * to a room it is in, as a chat does) stringifies once and loops over the room calling `send`.
 * On SIGTERM it closes its clients with 1001 and exits. Run as a child process (see
 * target-process.ts).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { readTargetSettings, reportFailure, reportReady, serveControl } from './control.js';
import { publishHandler, type PublishItem } from './publish-body.js';

const rooms = new Map<string, Set<WebSocket>>();

function fanOut({ channel, data }: PublishItem): void {
  const room = rooms.get(channel);
  if (room === undefined) return;
  const text = JSON.stringify({ channel, data });
  for (const c of room) c.send(text);
}

const server = createServer(publishHandler(fanOut));
const wss = new WebSocketServer({ server, perMessageDeflate: false, clientTracking: false });

wss.on('connection', (ws, req) => {
  const joined = new Map<string, Set<WebSocket>>();
  for (const name of new URL(req.url ?? '/', 'http://x').searchParams.getAll('room')) {
    let room = rooms.get(name);
    if (room === undefined) rooms.set(name, (room = new Set()));
    room.add(ws);
    joined.set(name, room);
  }
  // A chat message from the client: to a room it is in, else dropped.
  ws.on('message', (raw, isBinary) => {
    if (isBinary) return;
    let msg: unknown;
    try {
      // binaryType is the default 'nodebuffer': a message is one Buffer.
      msg = JSON.parse((raw as Buffer).toString('utf8'));
    } catch {
      return;
    }
    const channel = (msg as { channel?: unknown } | null)?.channel;
    if (typeof channel === 'string' && joined.has(channel))
      fanOut({ channel, data: (msg as { data?: unknown }).data });
  });
  ws.on('close', () => {
    for (const room of joined.values()) room.delete(ws);
  });
  ws.on('error', () => ws.terminate());
});

const settings = readTargetSettings();
serveControl(
  () =>
    new Promise<void>((resolve) => {
      // A restart (`storm`): say goodbye to the clients still here, as a decent hub does.
      for (const room of rooms.values()) for (const c of room) c.close(1001, 'server restart');
      wss.close();
      server.close(() => resolve());
      server.closeAllConnections();
    }),
);
server.on('error', reportFailure);
server.listen(settings.port ?? 0, settings.host, () =>
  reportReady((server.address() as AddressInfo).port),
);

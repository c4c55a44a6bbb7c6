/**
 * The Socket.IO 4 peer, WebSocket transport only: a client emits `join` with its rooms (and an
 * ack, so the generator knows when it is in); a publish is `io.to(channel).emit('event', data)`,
 * triggered by `POST /publish` or by a client emitting `publish` (room, data) to a room it is in
 * (the chat of the `rooms` scenario; `io.to`, not `socket.to`, so the sender gets it too, as
 * on hubcast and the ws peer).
 * On SIGTERM `io.close()` disconnects every client and it exits. Run as a child process (see
 * target-process.ts).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Server } from 'socket.io';
import { readTargetSettings, reportFailure, reportReady, serveControl } from './control.js';
import { publishHandler } from './publish-body.js';

// engine.io takes the /socket.io/ requests and hands every other one to this handler.
const server = createServer(
  publishHandler(({ channel, data }) => {
    io.to(channel).emit('event', data);
  }),
);
const io = new Server(server, { transports: ['websocket'], serveClient: false });

io.on('connection', (socket) => {
  socket.on('join', (rooms: unknown, ack: unknown) => {
    const names = (Array.isArray(rooms) ? rooms : [rooms]).filter(
      (r): r is string => typeof r === 'string',
    );
    void socket.join(names);
    if (typeof ack === 'function') (ack as () => void)();
  });
  socket.on('publish', (room: unknown, data: unknown) => {
    if (typeof room === 'string' && socket.rooms.has(room)) io.to(room).emit('event', data);
  });
});

const settings = readTargetSettings();
serveControl(
  () =>
    new Promise<void>((resolve) => {
      void io.close(() => resolve());
    }),
);
server.on('error', reportFailure);
server.listen(settings.port ?? 0, settings.host, () =>
  reportReady((server.address() as AddressInfo).port),
);

/**
 * Waiting for a socket's own buffer (what it holds that the OS has not taken yet) to shrink, so
 * a long replay or a large `history` page can wait for a slow reader instead of passing the
 * send-queue bound and closing the connection with 4001.
 */
import type { Writable } from 'node:stream';

const EMPTY = Buffer.alloc(0);
const RESOLVED: Promise<void> = Promise.resolve();

/** Resolves once `socket` holds at most `maxBytes` unwritten, or is closed or closing. */
export function whenBacklogAtMost(socket: Writable, maxBytes: number): Promise<void> {
  if (socket.writableLength <= maxBytes || socket.destroyed || socket.writableEnded)
    return RESOLVED;
  return new Promise((resolve) => {
    const done = (): void => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.on('close', done);
    // 'drain' only follows a write that passed the socket's high-water mark (16 KiB); below it
    // none comes, but an empty write's callback runs once everything before it is written.
    if (socket.writableNeedDrain) socket.on('drain', done);
    else socket.write(EMPTY, done);
  });
}

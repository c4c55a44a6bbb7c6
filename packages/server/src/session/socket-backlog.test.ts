import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { whenBacklogAtMost } from './socket-backlog.js';

/** A socket whose writes complete only when the test says so. */
function stalledSocket(): { socket: Writable; completeOne: () => void } {
  const pending: (() => void)[] = [];
  const socket = new Writable({
    highWaterMark: 16 * 1024,
    write(_chunk, _encoding, callback) {
      pending.push(() => callback());
    },
  });
  return { socket, completeOne: () => pending.shift()?.() };
}

/** Whether `promise` has settled once the queued callbacks have run. */
async function isSettled(promise: Promise<void>): Promise<boolean> {
  let settled = false;
  void promise.then(() => (settled = true));
  await new Promise((resolve) => setImmediate(resolve));
  return settled;
}

describe('whenBacklogAtMost', () => {
  it('resolves at once when the socket holds no more than asked', async () => {
    const { socket } = stalledSocket();
    socket.write(Buffer.alloc(1000));
    expect(await isSettled(whenBacklogAtMost(socket, 1000))).toBe(true);
  });

  it('waits for drain past the high-water mark', async () => {
    const { socket, completeOne } = stalledSocket();
    socket.write(Buffer.alloc(20_000));
    socket.write(Buffer.alloc(20_000));
    const waiting = whenBacklogAtMost(socket, 1000);
    expect(await isSettled(waiting)).toBe(false);
    completeOne();
    expect(await isSettled(waiting)).toBe(false); // 20,000 bytes still held
    completeOne();
    expect(await isSettled(waiting)).toBe(true);
  });

  it('also resolves below the high-water mark, where no drain ever comes', async () => {
    const { socket, completeOne } = stalledSocket();
    socket.write(Buffer.alloc(1000));
    const waiting = whenBacklogAtMost(socket, 500);
    expect(await isSettled(waiting)).toBe(false);
    completeOne();
    completeOne(); // the empty write behind it
    expect(await isSettled(waiting)).toBe(true);
    expect(socket.writableLength).toBe(0);
  });

  it('resolves when the socket is destroyed while waiting', async () => {
    const { socket } = stalledSocket();
    socket.write(Buffer.alloc(20_000));
    const waiting = whenBacklogAtMost(socket, 0);
    expect(await isSettled(waiting)).toBe(false);
    socket.destroy();
    expect(await isSettled(waiting)).toBe(true);
  });
});

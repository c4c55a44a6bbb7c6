/**
 * Pre-framed WebSocket text frames (RFC 6455 §5.2: FIN, opcode 1, unmasked, as a server
 * sends). Framing an event once and writing the same bytes to every recipient saves the
 * per-send header allocation and option handling of `ws.send`; see issue 3 for the figures.
 */
export function frameText(payload: Buffer): Buffer {
  const { out, headerBytes } = allocFrame(payload.length);
  payload.copy(out, headerBytes);
  return out;
}

/**
 * One text frame holding `first` and `more` joined by `\n` (PROTOCOL.md §3 batching), built
 * with a single allocation and copy; `payloadBytes` is the joined length.
 */
export function frameLines(first: Buffer, more: readonly Buffer[], payloadBytes: number): Buffer {
  const { out, headerBytes } = allocFrame(payloadBytes);
  let at = headerBytes + first.copy(out, headerBytes);
  for (const part of more) {
    out[at++] = 10;
    at += part.copy(out, at);
  }
  return out;
}

function allocFrame(n: number): { out: Buffer; headerBytes: number } {
  const headerBytes = n < 126 ? 2 : n < 65536 ? 4 : 10;
  const out = Buffer.allocUnsafe(headerBytes + n);
  out[0] = 0x81;
  if (n < 126) out[1] = n;
  else if (n < 65536) {
    out[1] = 126;
    out.writeUInt16BE(n, 2);
  } else {
    out[1] = 127;
    out.writeUInt32BE(Math.floor(n / 2 ** 32), 2);
    out.writeUInt32BE(n >>> 0, 6);
  }
  return { out, headerBytes };
}

/**
 * Frames `payload`, reusing the last result when the same buffer comes again: during one
 * flush of a fan-out every recipient of an event hands in the same shared payload.
 */
export class FrameCache {
  private lastPayload: Buffer | undefined;
  private lastFrame: Buffer | undefined;

  frame(payload: Buffer): Buffer {
    if (payload === this.lastPayload && this.lastFrame !== undefined) return this.lastFrame;
    const framed = frameText(payload);
    this.lastPayload = payload;
    this.lastFrame = framed;
    return framed;
  }
}

interface Batch {
  first: Buffer;
  more: readonly Buffer[];
  frame: Buffer;
}

/**
 * Frames a `\n`-joined batch, reusing a recent result when the same buffers come again in the
 * same order: when a burst fans out on a channel every subscriber's queue holds the very same
 * shared event buffers, so the frame is built once and written to every socket, instead of one
 * allocation and copy of the whole batch per connection (issue 3, M4). A queue that differs
 * (a reply, a heartbeat riding along) misses and gets a frame of its own. Two entries, so
 * connections with and without a heartbeat do not evict each other's frame. The node clears it
 * after each flush pass, so an idle node holds no batch.
 */
export class BatchFrameCache {
  private recent: Batch | undefined;
  private older: Batch | undefined;

  frame(first: Buffer, more: readonly Buffer[], payloadBytes: number): Buffer {
    const recent = this.recent;
    if (recent !== undefined && sameBatch(recent, first, more)) return recent.frame;
    const older = this.older;
    if (older !== undefined && sameBatch(older, first, more)) {
      this.older = recent;
      this.recent = older;
      return older.frame;
    }
    const frame = frameLines(first, more, payloadBytes);
    this.older = recent;
    this.recent = { first, more, frame };
    return frame;
  }

  /** Lets go of the batches (up to two send queues' worth of bytes) once a flush pass ends. */
  clear(): void {
    this.recent = undefined;
    this.older = undefined;
  }
}

function sameBatch(b: Batch, first: Buffer, more: readonly Buffer[]): boolean {
  if (b.first !== first || b.more.length !== more.length) return false;
  for (let i = 0; i < more.length; i++) if (b.more[i] !== more[i]) return false;
  return true;
}

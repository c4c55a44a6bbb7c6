/**
 * The two halves of RFC 6455 framing a cheap client needs: masked client frames out, and a
 * reader for the server's unmasked frames. Nothing else of a WebSocket library, so one
 * generator thread can hold thousands of connections.
 */

export const OPCODE_TEXT = 0x1;
export const OPCODE_BINARY = 0x2;
export const OPCODE_CLOSE = 0x8;
export const OPCODE_PING = 0x9;
export const OPCODE_PONG = 0xa;

/** The fixed key of RFC 6455 §1.3: the server only hashes it, so one value serves every client. */
export const WEBSOCKET_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';

/** The upgrade request, written by hand: `ws`'s client would cost more memory than the socket. */
export function upgradeRequest(host: string, port: number, path: string): string {
  return (
    `GET ${path} HTTP/1.1\r\nHost: ${host}:${port}\r\nUpgrade: websocket\r\n` +
    `Connection: Upgrade\r\nSec-WebSocket-Key: ${WEBSOCKET_KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`
  );
}

/**
 * A client frame (RFC 6455 §5.3: clients must mask). The mask key is zero, which is legal and
 * leaves the payload unchanged, so framing is one copy and no XOR.
 */
export function encodeClientFrame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  const header = len < 126 ? 2 : len < 65_536 ? 4 : 10;
  const out = Buffer.allocUnsafe(header + 4 + len);
  out[0] = 0x80 | opcode;
  if (len < 126) {
    out[1] = 0x80 | len;
  } else if (len < 65_536) {
    out[1] = 0x80 | 126;
    out.writeUInt16BE(len, 2);
  } else {
    out[1] = 0x80 | 127;
    out.writeUInt32BE(Math.floor(len / 2 ** 32), 2);
    out.writeUInt32BE(len >>> 0, 6);
  }
  out.writeUInt32BE(0, header);
  payload.copy(out, header + 4);
  return out;
}

export function encodeClientText(text: string): Buffer {
  return encodeClientFrame(OPCODE_TEXT, Buffer.from(text));
}

/** What the reader hands complete messages to (the connection itself, so no closure per frame). */
export interface FrameSink {
  onMessage(opcode: number, payload: Buffer): void;
  onPing(payload: Buffer): void;
  /** `code` is 1005 when the close frame carries none (RFC 6455 §7.1.5). */
  onCloseFrame(code: number): void;
}

/**
 * Reassembles server frames from TCP chunks: frames split across chunks wait in `pending`,
 * fragmented messages (FIN = 0, then continuations) in `fragments`. Payloads are views into the
 * chunk, valid only during the call.
 */
export class FrameReader {
  private pending: Buffer | undefined;
  private fragments: Buffer[] | undefined;
  private fragmentOpcode = 0;

  push(chunk: Buffer, sink: FrameSink): void {
    const buf = this.pending === undefined ? chunk : Buffer.concat([this.pending, chunk]);
    this.pending = undefined;
    let at = 0;
    for (;;) {
      const avail = buf.length - at;
      if (avail < 2) break;
      const b0 = buf[at] as number;
      const b1 = buf[at + 1] as number;
      let len = b1 & 0x7f;
      let header = 2;
      if (len === 126) {
        if (avail < 4) break;
        len = buf.readUInt16BE(at + 2);
        header = 4;
      } else if (len === 127) {
        if (avail < 10) break;
        len = buf.readUInt32BE(at + 2) * 2 ** 32 + buf.readUInt32BE(at + 6);
        header = 10;
      }
      const masked = (b1 & 0x80) !== 0;
      if (masked) header += 4;
      if (avail < header + len) break;
      const payload = buf.subarray(at + header, at + header + len);
      // Servers never mask (RFC 6455 §5.1), but unmasking costs nothing to support.
      if (masked) unmask(payload, buf, at + header - 4);
      at += header + len;
      this.dispatch(b0, payload, sink);
    }
    // Copy the tail so a small leftover does not pin a large chunk.
    if (at < buf.length) this.pending = Buffer.from(buf.subarray(at));
  }

  private dispatch(b0: number, payload: Buffer, sink: FrameSink): void {
    const fin = (b0 & 0x80) !== 0;
    const opcode = b0 & 0x0f;
    if (opcode === OPCODE_PING) return sink.onPing(payload);
    if (opcode === OPCODE_PONG) return;
    if (opcode === OPCODE_CLOSE) {
      return sink.onCloseFrame(payload.length >= 2 ? payload.readUInt16BE(0) : 1005);
    }
    if (opcode === 0) {
      if (this.fragments === undefined) return; // a stray continuation: nothing to append to
      this.fragments.push(Buffer.from(payload));
      if (!fin) return;
      const whole = Buffer.concat(this.fragments);
      this.fragments = undefined;
      return sink.onMessage(this.fragmentOpcode, whole);
    }
    if (fin) return sink.onMessage(opcode, payload);
    this.fragmentOpcode = opcode;
    this.fragments = [Buffer.from(payload)];
  }
}

function unmask(payload: Buffer, buf: Buffer, keyAt: number): void {
  for (let i = 0; i < payload.length; i++) {
    payload[i] = (payload[i] as number) ^ (buf[keyAt + (i & 3)] as number);
  }
}

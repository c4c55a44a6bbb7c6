/**
 * Outgoing batching (docs/protocol.md §3): messages sent in the same tick leave as one frame,
 * lines joined by `\n`, flushed in a microtask. Frames are cut so none passes the server's
 * `max-message-bytes`, which would close the connection with 4503.
 */

/** One encoded message and its UTF-8 size. */
export interface EncodedLine {
  text: string;
  bytes: number;
}

/** UTF-8 length of a string without allocating (no TextEncoder, no Buffer). */
export function utf8ByteLength(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4;
        i++;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * Packs lines, in order, into as few frames as fit `maxFrameBytes` each (separators counted).
 * A line longer than the limit on its own gets a frame of its own; callers refuse those first.
 */
export function packFrames(lines: readonly EncodedLine[], maxFrameBytes: number): string[] {
  const frames: string[] = [];
  let current: string[] = [];
  let currentBytes = 0;
  for (const line of lines) {
    const added = current.length === 0 ? line.bytes : currentBytes + 1 + line.bytes;
    if (current.length > 0 && added > maxFrameBytes) {
      frames.push(current.join('\n'));
      current = [line.text];
      currentBytes = line.bytes;
    } else {
      current.push(line.text);
      currentBytes = added;
    }
  }
  if (current.length > 0) frames.push(current.join('\n'));
  return frames;
}

/** Collects lines during a tick and sends them as packed frames in a microtask. */
export class FrameBatcher {
  private lines: EncodedLine[] = [];
  private scheduled = false;

  constructor(
    private readonly maxFrameBytes: number,
    private readonly sendFrame: (frame: string) => void,
  ) {}

  push(line: EncodedLine): void {
    this.lines.push(line);
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => this.flush());
  }

  /** Drops what has not left yet (the socket is gone). */
  discard(): void {
    this.lines = [];
  }

  private flush(): void {
    this.scheduled = false;
    const lines = this.lines;
    this.lines = [];
    for (const frame of packFrames(lines, this.maxFrameBytes)) this.sendFrame(frame);
  }
}

/**
 * The event payload of W1 and how a client reads it back without `JSON.parse`: the data object
 * `{"s":<seq>,"t":<send time ms>,"p":"xx…"}`, padded to a fixed JSON size. Every target wraps it
 * differently (`{"type":"event",…,"data":…}`, `{"channel":…,"data":…}`, `42["event",…]`), but
 * none of the wrappers has an `"s":` or `"t":` key, so scanning the bytes finds the stamps.
 */

/** The W1 payload size: the JSON text of `data`, in bytes. */
export const PAYLOAD_BYTES = 100;

/** Milliseconds on a clock every thread of the generator shares (the Unix epoch, sub-ms). */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** The `data` JSON of event `seq` sent at `sentAtMs`, padded to exactly `bytes` when it fits. */
export function eventData(seq: number, sentAtMs: number, bytes = PAYLOAD_BYTES): string {
  const head = `{"s":${seq},"t":${sentAtMs.toFixed(3)},"p":"`;
  return `${head}${'x'.repeat(Math.max(0, bytes - head.length - 2))}"}`;
}

/** A payload without stamps (the slow-consumer flood of M8): readers skip it. */
export function fillerData(bytes: number): string {
  return `{"f":"${'y'.repeat(Math.max(0, bytes - 8))}"}`;
}

/** Receives each stamp found in a frame. */
export interface StampSink {
  onStamp(seq: number, sentAtMs: number): void;
}

const SEQ_KEY = Buffer.from('"s":');
const TIME_KEY = Buffer.from('"t":');

/** Finds every `"s":<int>` … `"t":<decimal>` pair in `buf`; returns how many it found. */
export function scanStamps(buf: Buffer, sink: StampSink): number {
  let found = 0;
  let at = 0;
  for (;;) {
    const s = buf.indexOf(SEQ_KEY, at);
    if (s < 0) return found;
    let i = s + SEQ_KEY.length;
    let seq = 0;
    for (let c = buf[i]; c !== undefined && c >= 48 && c <= 57; c = buf[++i])
      seq = seq * 10 + c - 48;
    const t = buf.indexOf(TIME_KEY, i);
    if (t < 0) return found;
    i = t + TIME_KEY.length;
    let whole = 0;
    let c = buf[i];
    for (; c !== undefined && c >= 48 && c <= 57; c = buf[++i]) whole = whole * 10 + c - 48;
    let frac = 0;
    let scale = 1;
    if (c === 46) {
      for (c = buf[++i]; c !== undefined && c >= 48 && c <= 57; c = buf[++i]) {
        frac = frac * 10 + c - 48;
        scale *= 10;
      }
    }
    sink.onStamp(seq, whole + frac / scale);
    found++;
    at = i;
  }
}

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

const SEQ_KEY = '{"s":';
const TIME_KEY = '"t":';
const NEXT_TIME_KEY = ',"t":';

/**
 * Finds every `{"s":<int>` … `"t":<decimal>` pair in `text` (a frame decoded as latin1: the
 * stamps are ASCII); returns how many it found. Strings, not Buffer: `String#indexOf` costs a
 * fraction of `Buffer#indexOf`'s native call, and the time key is checked where `eventData`
 * puts it before it is searched for. At a million deliveries a second this is most of what the
 * generator spends per delivery in JavaScript (issue 3: the generator must stay cheap).
 */
export function scanStamps(text: string, sink: StampSink): number {
  let found = 0;
  let at = 0;
  for (;;) {
    const s = text.indexOf(SEQ_KEY, at);
    if (s < 0) return found;
    let i = s + SEQ_KEY.length;
    let seq = 0;
    let c = text.charCodeAt(i);
    for (; c >= 48 && c <= 57; c = text.charCodeAt(++i)) seq = seq * 10 + c - 48;
    if (text.startsWith(NEXT_TIME_KEY, i)) i += NEXT_TIME_KEY.length;
    else {
      const t = text.indexOf(TIME_KEY, i);
      if (t < 0) return found;
      i = t + TIME_KEY.length;
    }
    let whole = 0;
    c = text.charCodeAt(i);
    for (; c >= 48 && c <= 57; c = text.charCodeAt(++i)) whole = whole * 10 + c - 48;
    let frac = 0;
    let scale = 1;
    if (c === 46) {
      for (c = text.charCodeAt(++i); c >= 48 && c <= 57; c = text.charCodeAt(++i)) {
        frac = frac * 10 + c - 48;
        scale *= 10;
      }
    }
    sink.onStamp(seq, whole + frac / scale);
    found++;
    at = i;
  }
}

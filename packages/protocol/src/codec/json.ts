import { SUBPROTOCOL_JSON } from '../codes.js';
import type { ServerMessage } from '../messages.js';
import type { Codec, DecodedItem } from './codec.js';

/**
 * The JSON codec: one message per line, several per frame (docs/protocol.md §3). Readers split on
 * `\n` and skip empty lines, so batching is just joining.
 */
export const jsonCodec: Codec = {
  name: SUBPROTOCOL_JSON,
  binary: false,
  encode(message: ServerMessage): string {
    return JSON.stringify(message);
  },
  encodeBatch(messages: readonly ServerMessage[]): string {
    return messages.map((m) => JSON.stringify(m)).join('\n');
  },
  decode(frame: string): DecodedItem[] {
    return splitJsonLines(frame);
  },
};

/** Splits a JSON frame into parsed lines; a bad line becomes an error item, others survive. */
export function splitJsonLines(frame: string): DecodedItem[] {
  const out: DecodedItem[] = [];
  let start = 0;
  while (start <= frame.length) {
    let end = frame.indexOf('\n', start);
    if (end === -1) end = frame.length;
    const line = frame.slice(start, end);
    start = end + 1;
    if (line.trim().length === 0) continue;
    try {
      out.push({ ok: true, value: JSON.parse(line) as unknown });
    } catch {
      out.push({ ok: false, reason: 'malformed JSON' });
    }
  }
  return out;
}

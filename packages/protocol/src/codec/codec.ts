import type { ServerMessage } from '../messages.js';

/** One decoded item of a frame: the parsed value, or why it could not be parsed. */
export type DecodedItem = { ok: true; value: unknown } | { ok: false; reason: string };

/**
 * A wire codec (docs/protocol.md §3). It turns server messages into one frame and a frame into raw
 * items; validation of those items is separate (validate.ts), so codecs stay dumb and equal.
 */
export interface Codec {
  /** The WebSocket subprotocol name. */
  readonly name: string;
  /** Whether frames are binary (protobuf) or text (JSON). */
  readonly binary: boolean;
  /** Encodes one message. */
  encode(message: ServerMessage): string | Uint8Array;
  /** Encodes several messages as one frame. */
  encodeBatch(messages: readonly ServerMessage[]): string | Uint8Array;
  /** Splits and parses one inbound frame. */
  decode(frame: string): DecodedItem[];
}

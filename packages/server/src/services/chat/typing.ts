/**
 * Typing indicators (docs/chat.md "Typing"): `chat.typing {room}` tells the room's members that
 * the caller is typing, as an ephemeral event on `chat.<room>` (docs/ephemeral.md): fanned out
 * live, never logged, never replayed, gated by membership like the room's logged events. A
 * client sends it every few seconds while its user types and the others show the indicator
 * until about twice that long has passed without one; there is no "stopped typing" event.
 *
 * Rate-limited per user (all their connections on this node share one bucket), separately from
 * the write rate, so typing never uses up the budget for sending the message itself.
 */
import { chatChannel, notFound, rateLimited, type JsonValue } from '@hubcast/protocol';
import type { ChatStore } from '../../store/chat-store.js';
import { SendRate } from './send-rate.js';

/** Typing signals per second per user, and the burst (a user switching between rooms). */
export const TYPING_RATE_PER_SECOND = 1;
export const TYPING_BURST = 5;

export type PublishEphemeral = (
  org: string,
  channel: string,
  data: JsonValue,
  from: string,
) => Promise<unknown>;

export class ChatTyping {
  private readonly rate = new SendRate(TYPING_RATE_PER_SECOND, TYPING_BURST);

  constructor(
    private readonly store: () => ChatStore,
    private readonly publishEphemeral: PublishEphemeral,
    private readonly nowMs: () => number = Date.now,
  ) {}

  async signal(org: string, user: string, room: string): Promise<void> {
    if (!this.rate.take(org, user, this.nowMs()))
      throw rateLimited(`at most ${TYPING_RATE_PER_SECOND} typing signal per second`);
    // A non-member cannot tell a private room from a missing one (store/chat-store.ts).
    if ((await this.store().member(org, room, user)) === undefined)
      throw notFound(`no room '${room}'`);
    await this.publishEphemeral(org, chatChannel(room), { type: 'chat.typing', room, user }, user);
  }
}

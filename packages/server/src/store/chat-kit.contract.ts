/**
 * What the chat contract files share (`chat-store.contract.ts`, `chat-reads.contract.ts`,
 * `chat-outbox.contract.ts`): a fresh org with a room, senders, error assertions and a view of
 * the outbox. Holds no tests; named `*.contract.ts` so the build leaves it out.
 */
import { HubcastError, type ErrorCode } from '@hubcast/protocol';
import { expect } from 'vitest';
import type { ChatStore, SendInput } from './chat-store.js';
import { rejectionOf, type StoreHarness } from './store-kit.contract.js';
import { StoreUnavailableError, type PendingPush, type Store } from './store.js';

export interface ChatSetup {
  store: Store;
  chat: ChatStore;
  org: string;
  advanceMs: (ms: number) => void;
  /** Sends `text` as `user` in `room` (default 'general') and answers the message id. */
  say: (user: string, text: string, extra?: Partial<SendInput>) => Promise<string>;
}

/**
 * A fresh org; with `room`, the room 'general' owned by ann with the members named (default
 * bob and cy). `own` opens a store the test may close.
 */
export async function chatSetup(
  harness: StoreHarness,
  options: { room?: boolean; members?: string[]; own?: boolean } = {},
): Promise<ChatSetup> {
  const { store, org, advanceMs } = await harness.setup({ own: options.own ?? false });
  const chat = store.chat;
  if (options.room !== false) {
    await chat.createRoom(org, {
      room: 'general',
      owner: 'ann',
      members: options.members ?? ['bob', 'cy'],
    });
  }
  const say = async (user: string, text: string, extra: Partial<SendInput> = {}) => {
    const { message } = await chat.send(org, { room: 'general', user, text, ...extra });
    return message.id;
  };
  return { store, chat, org, advanceMs, say };
}

/** Asserts the refusal's code, and that its message names `words` when given. */
export async function expectCode(
  promise: Promise<unknown>,
  code: ErrorCode,
  words?: string | RegExp,
): Promise<void> {
  const err = await rejectionOf(promise);
  expect(err).toBeInstanceOf(HubcastError);
  expect(err).not.toBeInstanceOf(StoreUnavailableError);
  expect((err as HubcastError).code).toBe(code);
  if (words !== undefined) expect((err as HubcastError).message).toMatch(words);
}

/**
 * The outbox of the store's target, which every org shares: `clear()` forgets what earlier
 * tests left (tests in a file run one at a time), `of(org)` reads the pushes since.
 */
export function outboxOf(store: Store) {
  const inbox = store.notifications;
  return {
    async clear(): Promise<void> {
      for (;;) {
        const pending = await inbox.pendingPushes(500);
        if (pending.length === 0) return;
        await inbox.pushesDone(pending.map((p) => p.id));
      }
    },
    async of(org: string): Promise<PendingPush[]> {
      const pending = await inbox.pendingPushes(10_000);
      return pending.filter((p) => p.org === org);
    },
    /** The pushes of `org` as `[channel, data]`, in outbox order, and forgets them. */
    async take(org: string): Promise<[string, unknown][]> {
      const mine = await this.of(org);
      await inbox.pushesDone(mine.map((p) => p.id));
      return mine.map((p) => [p.channel, p.data]);
    },
  };
}

/**
 * ChatRoom against a real node (docs/chat.md): two users in one room, each with a room view;
 * what one does shows in the other's view through the room's events.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChatRoom, type HubcastClient } from '../src/index.js';
import { startFixture, type Fixture } from './helpers/fixtures.js';
import { viewUntil } from './helpers/view-wait.js';

let fx: Fixture;
let alice: HubcastClient;
let bob: HubcastClient;
let aliceRoom: ChatRoom;
let bobRoom: ChatRoom;

beforeEach(async () => {
  fx = await startFixture({ chatSendBurst: 100 }); // the paging test sends 55 at once
  alice = await fx.client('alice');
  bob = await fx.client('bob');
  await Promise.all([alice.connect(), bob.connect()]);
  await alice.rpc('chat.createRoom', { room: 'general', members: ['bob'] });
  aliceRoom = new ChatRoom(alice, 'general').start();
  bobRoom = new ChatRoom(bob, 'general').start();
  await viewUntil(aliceRoom, (s) => s.status === 'ready', "alice's room");
  await viewUntil(bobRoom, (s) => s.status === 'ready', "bob's room");
});
afterEach(async () => {
  aliceRoom.stop();
  bobRoom.stop();
  await fx.close();
});

const texts = (room: ChatRoom): string[] => room.getSnapshot().messages.map((m) => m.text);

describe('ChatRoom', () => {
  it('loads members and shows sends on both sides, pending until the message is back', async () => {
    expect(
      aliceRoom
        .getSnapshot()
        .members.map((m) => m.user)
        .sort(),
    ).toEqual(['alice', 'bob']);
    const sending = aliceRoom.send('hello', { clientId: 'c-1' });
    expect(aliceRoom.getSnapshot().pending).toMatchObject([
      { clientId: 'c-1', text: 'hello', status: 'sending' },
    ]);
    const sent = await sending;
    expect(sent).toMatchObject({ text: 'hello', client_id: 'c-1', user: 'alice' });
    expect(aliceRoom.getSnapshot().pending).toEqual([]);
    expect(texts(aliceRoom)).toEqual(['hello']);
    await viewUntil(bobRoom, (s) => s.messages.length === 1, 'the message at bob');
    expect(texts(bobRoom)).toEqual(['hello']);

    // A resend with the same client id is the same message, not a second one.
    await aliceRoom.send('hello', { clientId: 'c-1' });
    expect(texts(aliceRoom)).toEqual(['hello']);
  });

  it('follows edit, reactions, pin, unpin and delete (a tombstone) from the other side', async () => {
    const m = await aliceRoom.send('first');
    await viewUntil(bobRoom, (s) => s.messages.length === 1, 'the message at bob');

    await aliceRoom.edit(m.id, 'first (edited)');
    await viewUntil(bobRoom, (s) => s.messages[0]?.text === 'first (edited)', 'the edit');
    expect(bobRoom.getSnapshot().messages[0]?.edited_at).toBeDefined();

    await aliceRoom.react(m.id, '👍');
    await viewUntil(bobRoom, (s) => s.messages[0]?.reactions['👍']?.[0] === 'alice', 'reaction');

    await aliceRoom.pin(m.id);
    await viewUntil(bobRoom, (s) => s.pinned.length === 1, 'the pin');
    expect(bobRoom.getSnapshot().pinned[0]?.pinned_by).toBe('alice');
    await aliceRoom.unpin(m.id);
    await viewUntil(bobRoom, (s) => s.pinned.length === 0, 'the unpin');

    await aliceRoom.delete(m.id);
    const s = await viewUntil(bobRoom, (v) => v.messages[0]?.deleted_at !== undefined, 'delete');
    expect(s.messages).toHaveLength(1); // the tombstone keeps its place
    expect(s.messages[0]?.text).toBe('');
  });

  it('keeps threads out of the room list, counts replies on the root, and shows the thread', async () => {
    const root = await aliceRoom.send('root');
    const thread = aliceRoom.openThread(root.id);
    await viewUntil(thread, (t) => t.status === 'ready', 'the thread');
    await viewUntil(bobRoom, (s) => s.messages.length === 1, 'the root at bob');
    await bobRoom.send('in the thread', { threadId: root.id });
    await viewUntil(thread, (t) => t.messages.length === 1, 'the thread reply');
    expect(thread.getSnapshot().messages[0]?.text).toBe('in the thread');
    await viewUntil(aliceRoom, (s) => s.messages[0]?.reply_count === 1, 'the reply count');
    expect(texts(aliceRoom)).toEqual(['root']);
    expect(thread.getSnapshot().root?.reply_count).toBe(1);

    const quoted = await bobRoom.reply(root.id, 'a quote');
    expect(quoted.reply_to).toMatchObject({ id: root.id, user: 'alice', excerpt: 'root' });
    await viewUntil(aliceRoom, (s) => s.messages.length === 2, 'the reply');
  });

  it('shows read receipts and who is typing (not oneself), until their message arrives', async () => {
    const m = await aliceRoom.send('read me');
    await viewUntil(bobRoom, (s) => s.messages.length === 1, 'the message at bob');
    await bobRoom.markRead();
    await viewUntil(aliceRoom, (s) => s.reads.get('bob') === m.id, "bob's read receipt");

    await bobRoom.typing();
    await viewUntil(aliceRoom, (s) => s.typing.includes('bob'), 'bob typing');
    expect(bobRoom.getSnapshot().typing).toEqual([]); // one's own typing is not shown
    await bobRoom.send('done typing');
    await viewUntil(aliceRoom, (s) => s.typing.length === 0, 'typing cleared by the message');
  });

  it('keeps a refused send in pending as failed, with its error, until discarded', async () => {
    const tooLong = 'x'.repeat(4001);
    await expect(aliceRoom.send(tooLong, { clientId: 'big' })).rejects.toMatchObject({
      code: 'too_large',
    });
    expect(aliceRoom.getSnapshot().pending).toMatchObject([
      { clientId: 'big', status: 'failed', error: { code: 'too_large' } },
    ]);
    expect(texts(aliceRoom)).toEqual([]);
    aliceRoom.discard('big');
    expect(aliceRoom.getSnapshot().pending).toEqual([]);
  });

  it('pages older messages', async () => {
    for (let i = 0; i < 55; i++) await aliceRoom.send(`m${i}`);
    const room = new ChatRoom(bob, 'general').start();
    try {
      const first = await viewUntil(room, (s) => s.status === 'ready' && s.messages.length > 0);
      expect(first.messages).toHaveLength(50);
      expect(first.hasOlder).toBe(true);
      await room.loadOlder();
      const all = room.getSnapshot();
      expect(all.messages.map((m) => m.text)).toEqual(
        Array.from({ length: 55 }, (_, i) => `m${i}`),
      );
      expect(all.hasOlder).toBe(false);
    } finally {
      room.stop();
    }
  });
  it('holds the newest maxMessages only: the oldest go and hasOlder turns true', async () => {
    expect(() => new ChatRoom(bob, 'general', { maxMessages: 0 })).toThrow(/maxMessages/);
    const room = new ChatRoom(bob, 'general', { maxMessages: 3 }).start();
    await viewUntil(room, (s) => s.status === 'ready', 'the capped room');
    expect(room.getSnapshot().hasOlder).toBe(false);
    for (const n of [1, 2, 3, 4, 5]) await aliceRoom.send(`m${n}`);
    await viewUntil(room, (s) => s.messages.at(-1)?.text === 'm5', 'm5 at bob');
    expect(texts(room)).toEqual(['m3', 'm4', 'm5']);
    expect(room.getSnapshot().hasOlder).toBe(true);
    await room.loadOlder();
    expect(texts(room)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    room.stop();
  });
});

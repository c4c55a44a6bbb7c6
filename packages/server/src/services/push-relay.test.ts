import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { MemoryEventLog } from '../log/memory.js';
import { MemoryStore } from '../store/memory.js';
import { PushRelay } from './push-relay.js';

describe('PushRelay', () => {
  it('appends each push to its own channel, in outbox order, once', async () => {
    const store = new MemoryStore();
    const log = new MemoryEventLog({ historySize: 100, historyTtlSeconds: 3600 });
    const relay = new PushRelay(
      () => store.notifications,
      (org, items) => log.append(org, items),
      pino({ level: 'silent' }),
    );
    await store.chat.createRoom('acme', { room: 'general', owner: 'ann' });
    await store.notifications.create('acme', {
      users: ['bob'],
      notification: { kind: 'k', title: 't' },
    });
    const { message } = await store.chat.send('acme', { room: 'general', user: 'ann', text: 'hi' });
    await relay.flush();
    await relay.flush();
    const { events } = await log.read('acme', { limit: 10, from: 'oldest' });
    expect(
      events.map((e) => [e.channel, (JSON.parse(e.dataJson) as { type: string }).type]),
    ).toEqual([
      ['chat.general', 'chat.member_joined'],
      ['user.ann.chat', 'chat.room_joined'],
      ['user.bob.notifications', 'notification.created'],
      ['chat.general', 'chat.message'],
    ]);
    expect(JSON.parse(events[3]?.dataJson ?? '{}')).toEqual({ type: 'chat.message', message });
    expect(await store.notifications.pendingPushes(10)).toEqual([]);
  });
});

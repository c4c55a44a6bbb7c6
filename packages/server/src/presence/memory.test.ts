import { describe, expect, it } from 'vitest';
import { MemoryPresence } from './memory.js';
import { describePresence } from './presence.contract.js';

describePresence('MemoryPresence', () => new MemoryPresence());

describe('MemoryPresence', () => {
  it('forgets everything on close', async () => {
    const presence = new MemoryPresence();
    await presence.add('acme', 'room', 's1', { user: 'alice' });
    await presence.close();
    expect(await presence.members('acme', 'room')).toEqual([]);
    expect(await presence.add('acme', 'room', 's2', { user: 'alice' })).toEqual({
      firstForUser: true,
    });
  });
});

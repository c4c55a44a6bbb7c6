import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { identities } from './identities.js';
import { userRooms, type RoomsShape } from './rooms.js';

const SHAPE: RoomsShape = { users: 50, devices: 2, rooms: 10, roomsPerUser: 2 };
const spec = {
  target: 'hubcast' as const,
  firstIndex: 4,
  count: 2, // user 2's two devices
  channels: [],
  slowEvery: 0,
  slowChannels: [],
  jwtSecret: 'secret',
  org: 'bench',
  rooms: SHAPE,
};

describe('rooms identities', () => {
  const rooms = userRooms(SHAPE, 2);

  it('raw publishes: the room channels, subscribe and publish grants on them', async () => {
    const [a, b] = await identities(spec);
    const channels = rooms.map((r) => `room.r${r}`);
    expect(a?.channels).toEqual(channels);
    expect(b?.token).toBe(a?.token); // one token per user, shared by their devices
    expect(decodeJwt(a?.token ?? '')).toMatchObject({
      sub: 'u2',
      subscribe: channels,
      publish: channels,
    });
  });

  it('through the chat service: the chat channels, subscribe grants only', async () => {
    const [a] = await identities({ ...spec, roomsVia: 'chat' });
    const channels = rooms.map((r) => `chat.r${r}`);
    expect(a?.channels).toEqual(channels);
    expect(a?.rooms).toEqual(rooms);
    const claims = decodeJwt(a?.token ?? '');
    expect(claims).toMatchObject({ sub: 'u2', subscribe: channels });
    expect(claims['publish']).toBeUndefined();
  });
});

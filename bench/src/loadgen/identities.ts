/**
 * Who each generator connection is: the channels (rooms) it joins and the token it shows.
 * Tokens are signed before a ramp, so a connect rate measures the target, not jose.
 */
import { SignJWT } from 'jose';
import { roomName, userOf, userRooms } from './rooms.js';
import type { ConnectSpec } from './worker-protocol.js';

/** What `identities` needs of a worker's connect request. */
export type IdentitySpec = Pick<
  ConnectSpec,
  | 'target'
  | 'firstIndex'
  | 'count'
  | 'channels'
  | 'slowEvery'
  | 'slowChannels'
  | 'jwtSecret'
  | 'org'
  | 'rooms'
  | 'roomsVia'
>;

/** What a connection joins and which token it shows: per connection, or per user in `rooms`. */
export interface Identity {
  channels: readonly string[];
  rooms?: readonly number[];
  token: string;
}

/**
 * The identities of a worker's connections. W1 (and `storm`) users are one per connection
 * with the default grants; `rooms` users share one token and one room list over their devices, and may
 * subscribe and publish to their rooms only. Through the chat service they get the subscribe
 * grants of their rooms' `chat.` channels alone: `chat.send` needs no publish grant, and the
 * service checks membership besides (docs/chat.md §2).
 */
export async function identities(spec: IdentitySpec): Promise<Identity[]> {
  const key = new TextEncoder().encode(spec.jwtSecret ?? '');
  const exp = Math.floor(Date.now() / 1000) + 86_400;
  const sign = (user: number, grants: Record<string, string[]>): Promise<string> =>
    spec.target !== 'hubcast'
      ? Promise.resolve('')
      : new SignJWT({ org: spec.org ?? 'bench', ...grants })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject(`u${user}`)
          .setExpirationTime(exp)
          .sign(key);
  const out: Identity[] = [];
  const rooms = spec.rooms;
  if (rooms === undefined) {
    const slowChannels = [...spec.channels, ...spec.slowChannels];
    for (let i = 0; i < spec.count; i++) {
      const index = spec.firstIndex + i;
      const slow = spec.slowEvery > 0 && index % spec.slowEvery === 0;
      out.push({ channels: slow ? slowChannels : spec.channels, token: await sign(index, {}) });
    }
    return out;
  }
  let last: { user: number; identity: Identity } | undefined;
  for (let i = 0; i < spec.count; i++) {
    const user = userOf(rooms, spec.firstIndex + i);
    if (last?.user !== user) {
      const numbers = userRooms(rooms, user);
      const channels = numbers.map((r) => roomName(r, spec.roomsVia));
      const grants: Record<string, string[]> = { subscribe: channels };
      if (spec.roomsVia !== 'chat') grants['publish'] = channels;
      const token = await sign(user, grants);
      last = { user, identity: { channels, rooms: numbers, token } };
    }
    out.push(last.identity);
  }
  return out;
}

/**
 * The `rooms` scenario's world, pure and shared by the main thread and the workers so they
 * agree without messages: who is in which room, which connection sends which message, and
 * which room and per-room sequence a message's global sequence number stands for.
 *
 * Users are `u0…u<users-1>`, each on `devices` connections (connection `i` is user
 * `⌊i / devices⌋`). The `rooms` rooms form `roomsPerUser` layers of `rooms / roomsPerUser`
 * rooms; every user is in exactly one room of each layer, so in `roomsPerUser` rooms, and every
 * room holds exactly `users · roomsPerUser / rooms` users. Layer `j` puts user `u = a·L + b`
 * (`L` rooms per layer, `0 ≤ b < L`) into room `(b + j·a) mod L` of the layer, so the layers mix
 * users differently (in the default shape, 1,850 of the 4,950 pairs of rooms share no user,
 * 2,000 share 10, 1,000 share 20 and 100 share 50).
 *
 * Message `seq` (1, 2, … over the whole window) goes to room `(seq − 1) mod rooms` as that
 * room's message `⌊(seq − 1) / rooms⌋ + 1`: rooms take turns, and the stamps need no room field.
 * Its sender cycles through the room's members, then through their devices.
 */

export interface RoomsShape {
  users: number;
  devices: number;
  rooms: number;
  roomsPerUser: number;
}

/** Why a shape cannot be built evenly, or undefined when it can. */
export function explainShape(s: RoomsShape): string | undefined {
  for (const [k, v] of Object.entries(s))
    if (!Number.isInteger(v) || v < 1) return `${k} must be a positive integer`;
  if (s.rooms % s.roomsPerUser !== 0)
    return `the rooms (${s.rooms}) must be a multiple of the rooms per user (${s.roomsPerUser})`;
  const perLayer = s.rooms / s.roomsPerUser;
  if (s.users % perLayer !== 0)
    return `the users (${s.users}) must be a multiple of rooms / rooms-per-user (${perLayer}), so every room has as many members`;
  return undefined;
}

export function connectionCount(s: RoomsShape): number {
  return s.users * s.devices;
}

/** Users per room. */
export function roomUsers(s: RoomsShape): number {
  return (s.users * s.roomsPerUser) / s.rooms;
}

/** Connections per room: every message is delivered this many times. */
export function roomConnections(s: RoomsShape): number {
  return roomUsers(s) * s.devices;
}

/**
 * How the messages travel: `publish` commands into `room.r<n>` channels (every target), or
 * hubcast's chat service (`chat` scenario): rooms `r<n>` with members, whose channels
 * `chat.r<n>` only the service writes to, so a member sends with the `chat.send` rpc.
 */
export type RoomsVia = 'publish' | 'chat';

/** The chat service's name of room `r` (docs/chat.md): its channel is `chat.<name>`. */
export function chatRoomName(r: number): string {
  return `r${r}`;
}

/**
 * The channel (hubcast), room (Socket.IO) or `room=` query value (ws) of room `r`; through the
 * chat service, the room's `chat.` channel.
 */
export function roomName(r: number, via: RoomsVia = 'publish'): string {
  return via === 'chat' ? `chat.${chatRoomName(r)}` : `room.r${r}`;
}

export function userOf(s: RoomsShape, connIndex: number): number {
  return Math.floor(connIndex / s.devices);
}

/** The rooms of `user`, one per layer, ascending. */
export function userRooms(s: RoomsShape, user: number): number[] {
  const perLayer = s.rooms / s.roomsPerUser;
  const a = Math.floor(user / perLayer);
  const b = user % perLayer;
  const out: number[] = [];
  for (let j = 0; j < s.roomsPerUser; j++) out.push(j * perLayer + ((b + j * a) % perLayer));
  return out;
}

/** The users of room `r`, ascending. */
export function roomMembers(s: RoomsShape, r: number): number[] {
  const perLayer = s.rooms / s.roomsPerUser;
  const j = Math.floor(r / perLayer);
  const g = r % perLayer;
  const out: number[] = [];
  for (let a = 0; a < s.users / perLayer; a++) {
    const b = (((g - j * a) % perLayer) + perLayer) % perLayer;
    out.push(a * perLayer + b);
  }
  return out.sort((x, y) => x - y);
}

/** The room message `seq` goes to. */
export function roomOfSeq(s: RoomsShape, seq: number): number {
  return (seq - 1) % s.rooms;
}

/** Message `seq`'s number within its room (1, 2, …). */
export function roomSeqOf(s: RoomsShape, seq: number): number {
  return Math.floor((seq - 1) / s.rooms) + 1;
}

/** How many of the messages 1…`total` room `r` gets. */
export function roomMessageCount(s: RoomsShape, total: number, r: number): number {
  return r < total ? Math.floor((total - 1 - r) / s.rooms) + 1 : 0;
}

/**
 * The connection that sends message `seq`, given its room's members (`roomMembers`, which a
 * caller computes once per room): the room's users in turn, then their next device.
 */
export function senderOf(s: RoomsShape, seq: number, members: readonly number[]): number {
  const m = roomSeqOf(s, seq) - 1;
  const user = members[m % members.length] as number;
  const device = Math.floor(m / members.length) % s.devices;
  return user * s.devices + device;
}

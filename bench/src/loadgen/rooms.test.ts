import { describe, expect, it } from 'vitest';
import {
  chatRoomName,
  connectionCount,
  explainShape,
  roomConnections,
  roomMembers,
  roomMessageCount,
  roomName,
  roomOfSeq,
  roomSeqOf,
  roomUsers,
  senderOf,
  userOf,
  userRooms,
  type RoomsShape,
} from './rooms.js';

const FULL: RoomsShape = { users: 1000, devices: 5, rooms: 100, roomsPerUser: 10 };
const SMOKE: RoomsShape = { users: 50, devices: 2, rooms: 10, roomsPerUser: 2 };

describe.each([
  ['full', FULL],
  ['smoke', SMOKE],
])('the %s shape', (_name, shape) => {
  it('is valid', () => {
    expect(explainShape(shape)).toBeUndefined();
  });

  it('puts every user in roomsPerUser distinct rooms and every room has as many users', () => {
    const size = new Array<number>(shape.rooms).fill(0);
    for (let u = 0; u < shape.users; u++) {
      const rooms = userRooms(shape, u);
      expect(new Set(rooms).size).toBe(shape.roomsPerUser);
      for (const r of rooms) {
        expect(r).toBeGreaterThanOrEqual(0);
        expect(r).toBeLessThan(shape.rooms);
        size[r] = (size[r] ?? 0) + 1;
      }
    }
    expect(new Set(size)).toEqual(new Set([roomUsers(shape)]));
  });

  it('roomMembers is the inverse of userRooms', () => {
    const rooms = Array.from({ length: shape.users }, (_, u) => new Set(userRooms(shape, u)));
    for (let r = 0; r < shape.rooms; r++) {
      const members = roomMembers(shape, r);
      expect(members).toHaveLength(roomUsers(shape));
      expect(members.filter((u) => rooms[u]?.has(r) !== true)).toEqual([]);
    }
  });

  it('every message is sent by a member of its room, spread over users and devices', () => {
    const members = Array.from({ length: shape.rooms }, (_, r) => roomMembers(shape, r));
    const rooms = Array.from({ length: shape.users }, (_, u) => new Set(userRooms(shape, u)));
    const total = shape.rooms * roomUsers(shape) * shape.devices; // every connection once
    const sent = new Map<number, number>();
    let outsiders = 0;
    for (let seq = 1; seq <= total; seq++) {
      const r = roomOfSeq(shape, seq);
      const conn = senderOf(shape, seq, members[r] ?? []);
      if (rooms[userOf(shape, conn)]?.has(r) !== true) outsiders++;
      sent.set(conn, (sent.get(conn) ?? 0) + 1);
    }
    expect(outsiders).toBe(0);
    // Each connection is in roomsPerUser rooms and sends once for each.
    expect(sent.size).toBe(connectionCount(shape));
    expect(new Set(sent.values())).toEqual(new Set([shape.roomsPerUser]));
  });
});

describe('sequence numbers', () => {
  it('map to rooms in turn, each room counting from 1', () => {
    const s = SMOKE;
    expect([1, 2, 10, 11, 12, 21].map((q) => [roomOfSeq(s, q), roomSeqOf(s, q)])).toEqual([
      [0, 1],
      [1, 1],
      [9, 1],
      [0, 2],
      [1, 2],
      [0, 3],
    ]);
  });

  it.each([0, 1, 9, 10, 11, 25, 3000])('roomMessageCount over %i messages', (total) => {
    const s = SMOKE;
    let sum = 0;
    for (let r = 0; r < s.rooms; r++) {
      const n = roomMessageCount(s, total, r);
      let seen = 0;
      for (let q = 1; q <= total; q++) if (roomOfSeq(s, q) === r) seen++;
      expect(n).toBe(seen);
      sum += n;
    }
    expect(sum).toBe(total);
  });
});

describe('explainShape', () => {
  it.each([
    [{ ...FULL, rooms: 95 }, /multiple of the rooms per user/],
    [{ ...FULL, users: 1005 }, /multiple of rooms \/ rooms-per-user \(10\)/],
    [{ ...FULL, devices: 0 }, /devices must be a positive integer/],
  ])('%j', (shape, message) => {
    expect(explainShape(shape)).toMatch(message);
  });

  it('counts connections', () => {
    expect(connectionCount(FULL)).toBe(5000);
    expect(roomConnections(FULL)).toBe(500);
  });
});

describe('roomName', () => {
  it('names a raw room channel, or the chat service room and its channel', () => {
    expect(roomName(7)).toBe('room.r7');
    expect(roomName(7, 'publish')).toBe('room.r7');
    expect(chatRoomName(7)).toBe('r7');
    expect(roomName(7, 'chat')).toBe('chat.r7');
  });
});

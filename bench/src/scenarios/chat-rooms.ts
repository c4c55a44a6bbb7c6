/**
 * `chat`: the rooms of the `rooms` shape created in hubcast's chat service before the
 * connections ramp, as an app backend creates them (docs/chat.md §5): `POST /api/chat/rooms`
 * with the API key, every member named. A member's connection may then subscribe to
 * `chat.r<n>` and send with `chat.send`.
 */
import { Agent } from 'node:http';
import { httpCall } from '../loadgen/http-call.js';
import { ProgressBar } from '../loadgen/progress-bar.js';
import { chatRoomName, roomMembers, type RoomsShape } from '../loadgen/rooms.js';

/** Rooms created at once: enough to keep the target busy, few enough not to queue for long. */
const CREATES_IN_FLIGHT = 8;
const CREATE_TIMEOUT_MS = 30_000;

export interface ChatRoomsTarget {
  host: string;
  port: number;
  apiKey: string;
  org: string;
}

/** The body of `POST /api/chat/rooms` for room `r`: its users `u<n>`, ascending. */
export function createRoomBody(shape: RoomsShape, org: string, r: number): string {
  const members = roomMembers(shape, r).map((u) => `u${u}`);
  return JSON.stringify({ org, room: chatRoomName(r), members });
}

/** Creates every room of `shape`, with a progress bar; throws on the first refusal. */
export async function createChatRooms(target: ChatRoomsTarget, shape: RoomsShape): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: CREATES_IN_FLIGHT });
  const bar = new ProgressBar('creating chat rooms', shape.rooms);
  let next = 0;
  let created = 0;
  const createNext = async (): Promise<void> => {
    for (let r = next++; r < shape.rooms; r = next++) {
      const answer = await httpCall({
        host: target.host,
        port: target.port,
        agent,
        method: 'POST',
        path: '/api/chat/rooms',
        headers: { authorization: `Bearer ${target.apiKey}` },
        body: createRoomBody(shape, target.org, r),
        timeoutMs: CREATE_TIMEOUT_MS,
      });
      if (answer.status !== 200)
        throw new Error(`creating chat room ${chatRoomName(r)}: ${answer.status} ${answer.text}`);
      bar.update(++created, 0);
    }
  };
  try {
    await Promise.all(Array.from({ length: CREATES_IN_FLIGHT }, createNext));
  } finally {
    bar.done(created, shape.rooms - created);
    agent.destroy();
  }
}

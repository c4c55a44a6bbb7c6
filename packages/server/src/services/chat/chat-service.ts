/**
 * The chat service of docs/chat.md: the `chat.*` rpc methods of a connection and the chat HTTP
 * API of a backend, on the chat store. Modelled on services/notifications.ts: the store commits
 * each change with its events in its outbox (one transaction), then the push relay moves them
 * into the log (`flushPushes`), so devices see changes in commit order and none is lost to a
 * crash between the two. A change is answered once its events are in the log (or, with the log
 * down, once committed: they follow when it is back).
 *
 * Who may do what is the store's to decide (membership, roles, authorship, inside the
 * transaction that acts). The service checks what the store cannot know: the shape of params,
 * the connection token's grant on the room's channel, and the per-user write rate.
 */
import {
  CHAT_EXCERPT_CHARS,
  HubcastError,
  badRequest,
  chatChannel,
  notFound,
  rateLimited,
  type ChatMessage,
  type JsonValue,
} from '@hubcast/protocol';
import { checkSubscribe } from '../../auth/grants.js';
import type { ChatStore, RoomOfUser } from '../../store/chat-store.js';
import type { NotifyRequest } from '../notifications.js';
import {
  CHAT_MEMBERS_PER_CALL_MAX,
  CHAT_SEARCH_MAX_CHARS,
  emojiParam,
  limitParam,
  messageIdParam,
  optionalClientId,
  optionalData,
  optionalMentions,
  optionalMessageId,
  optionalString,
  optionalTitle,
  optionalUsers,
  paramsObject,
  roleParam,
  roomParam,
  textParam,
  timeZoneParam,
  userParam,
  usersParam,
  type Params,
} from './chat-params.js';
import { InFlight } from '../in-flight.js';
import { SearchRate } from './search-rate.js';
import type { SendRate } from './send-rate.js';
import type { ChatTyping } from './typing.js';

/** Who calls an rpc: a connection's user, with its token's `subscribe` grants. */
export interface ChatCaller {
  org: string;
  user: string;
  subscribeGrants: readonly string[];
}

export interface ChatServiceDeps {
  store: () => ChatStore;
  /** Moves the store's outbox into the log; resolves once what was committed before is in. */
  flushPushes: () => Promise<void>;
  /** Creates inbox notifications, once per key (NotificationService.notify). */
  notify: (org: string, request: NotifyRequest) => Promise<unknown>;
  sendRate: SendRate;
  /** `chat.typing` (typing.ts); without it the method is `not_found`. */
  typing?: ChatTyping;
  /** How deep a message's `data` may nest (the node's `maxDataDepth`). */
  maxDataDepth: number;
  nowMs?: () => number;
}

/** The inbox notification kind of a mention. */
export const MENTION_KIND = 'chat.mention';

export class ChatService {
  private readonly inFlight = new InFlight();
  private readonly searches = new SearchRate();
  private readonly nowMs: () => number;

  constructor(private readonly deps: ChatServiceDeps) {
    this.nowMs = deps.nowMs ?? Date.now;
  }

  /** A `chat.*` rpc of a connection. */
  async rpc(caller: ChatCaller, method: string, params: unknown): Promise<JsonValue> {
    const p = paramsObject(params);
    const { org, user } = caller;
    switch (method) {
      case 'chat.rooms': {
        await this.inFlight.settled(org, user);
        const rooms = (await this.store().roomsOf(org, user)).filter((r) =>
          grants(caller, r.room.room),
        );
        return json({ rooms: rooms.map(roomOfUser) });
      }
      case 'chat.unread': {
        await this.inFlight.settled(org, user);
        const rooms = (await this.store().roomsOf(org, user)).filter((r) =>
          grants(caller, r.room.room),
        );
        return json({
          rooms: rooms.map((r) => ({
            room: r.room.room,
            count: r.unread,
            ...(r.last_read === undefined ? {} : { last_read: r.last_read }),
          })),
        });
      }
      case 'chat.profile': {
        const zone = timeZoneParam(p);
        if (zone === undefined) return json(await this.store().profile(org, user));
        return json(
          await this.store().setProfile(org, user, zone === null ? {} : { time_zone: zone }),
        );
      }
      default:
        return this.roomRpc(caller, method, p);
    }
  }

  /** The methods that act on one room: the token must grant its channel (docs/chat.md). */
  private async roomRpc(caller: ChatCaller, method: string, p: Params): Promise<JsonValue> {
    if (!ROOM_METHODS.has(method)) throw notFound(`unknown rpc method '${method.slice(0, 64)}'`);
    const { org, user } = caller;
    const room = roomParam(p);
    const code = checkSubscribe(user, caller.subscribeGrants, chatChannel(room));
    if (code !== undefined)
      throw new HubcastError(
        code,
        `this token does not grant room '${room}' (${chatChannel(room)})`,
      );
    const store = this.store();
    switch (method) {
      case 'chat.createRoom':
        return json(await this.createRoom(org, user, p, true));
      case 'chat.room': {
        await this.inFlight.settled(org, user);
        const found = await store.room(org, room, user);
        if (found === undefined) throw notFound(`no room '${room}'`);
        return json(found);
      }
      case 'chat.members':
        await this.inFlight.settled(org, user);
        return json({ members: await store.members(org, room, user) });
      case 'chat.addMembers':
        return json({ added: await this.addMembers(org, user, p, true) });
      case 'chat.removeMember':
        return json({ removed: await this.removeMember(org, user, p) });
      case 'chat.leave':
        return json({
          left: await this.change(org, user, () => store.removeMember(org, room, user, user)),
        });
      case 'chat.setRole': {
        const target = userParam(p, 'user');
        const role = roleParam(p);
        return json(
          await this.change(org, user, () => store.setRole(org, room, target, role, user)),
        );
      }
      case 'chat.send':
        return json(await this.send(org, user, p, true));
      case 'chat.typing':
        if (this.deps.typing === undefined) throw notFound("unknown rpc method 'chat.typing'");
        await this.deps.typing.signal(org, user, room);
        return {};
      case 'chat.edit': {
        const input = {
          room,
          user,
          id: messageIdParam(p),
          text: textParam(p, 'data' in p),
          ...optionalData(p, this.deps.maxDataDepth),
        };
        this.chargeWrite(org, user);
        return json({ message: await this.change(org, user, () => store.edit(org, input)) });
      }
      case 'chat.delete': {
        const ref = { room, user, id: messageIdParam(p) };
        this.chargeWrite(org, user);
        return json({ message: await this.change(org, user, () => store.delete(org, ref)) });
      }
      case 'chat.react': {
        const input = { room, user, id: messageIdParam(p), emoji: emojiParam(p) };
        this.chargeWrite(org, user);
        return json(await this.change(org, user, () => store.react(org, input)));
      }
      case 'chat.pin':
      case 'chat.unpin': {
        const ref = { room, user, id: messageIdParam(p) };
        this.chargeWrite(org, user);
        const pinned = method === 'chat.pin';
        return json({ message: await this.change(org, user, () => store.pin(org, ref, pinned)) });
      }
      case 'chat.pinned':
        await this.inFlight.settled(org, user);
        return json({ messages: await store.pinned(org, room, user) });
      case 'chat.history':
        return json(await this.history(org, user, p));
      case 'chat.search': {
        const text = optionalString(p, 'text', CHAT_SEARCH_MAX_CHARS);
        if (text === undefined)
          throw badRequest(`'text' must be a string of 1-${CHAT_SEARCH_MAX_CHARS} characters`);
        const limit = limitParam(p);
        const before = optionalMessageId(p, 'before');
        this.searches.check(org, user, text, this.nowMs());
        await this.inFlight.settled(org, user);
        return json(
          await store.search(org, room, user, text, {
            limit,
            ...(before === undefined ? {} : { before }),
          }),
        );
      }
      case 'chat.markRead': {
        const ref = { room, user, id: messageIdParam(p) };
        const read = await this.change(org, user, () => store.markRead(org, ref));
        return json({ last_read: read.last_read, unread: read.unread });
      }
    }
    throw notFound(`unknown rpc method '${method.slice(0, 64)}'`);
  }

  // ---- shared by rpc and the HTTP API (a backend acts as `by` undefined, or as a user) ----

  /**
   * Creates a room; `owner` undefined when a backend creates it (no owner then). `limitRate`
   * (a connection's call) charges the caller's write rate, as `send` does.
   */
  async createRoom(org: string, owner: string | undefined, p: Params, limitRate = false) {
    const room = roomParam(p);
    const title = optionalTitle(p);
    const members = optionalUsers(p, 'members', CHAT_MEMBERS_PER_CALL_MAX);
    // A connection's room and member writes push to other users' channels: rate limited too.
    if (limitRate && owner !== undefined) this.chargeWrite(org, owner);
    const users = [...(owner === undefined ? [] : [owner]), ...(members ?? [])];
    return this.change(org, users, () =>
      this.store().createRoom(org, {
        room,
        ...(title === undefined ? {} : { title }),
        ...(owner === undefined ? {} : { owner }),
        ...(members === undefined ? {} : { members }),
      }),
    );
  }

  addMembers(org: string, by: string | undefined, p: Params, limitRate = false) {
    const room = roomParam(p);
    const users = usersParam(p, 'users', 1, CHAT_MEMBERS_PER_CALL_MAX);
    if (limitRate && by !== undefined) this.chargeWrite(org, by);
    return this.change(org, [...users, ...(by === undefined ? [] : [by])], () =>
      this.store().addMembers(org, room, users, by),
    );
  }

  removeMember(org: string, by: string | undefined, p: Params) {
    const room = roomParam(p);
    const user = userParam(p, 'user');
    return this.change(org, [user, ...(by === undefined ? [] : [by])], () =>
      this.store().removeMember(org, room, user, by),
    );
  }

  /**
   * Sends as `user` (a connection's, or the one a backend names), then notifies the mentioned
   * members. The notifications have the key `chat-mention:<id>`, and a duplicate send (same
   * `client_id`) notifies again with that key: a retry after a crash between the two creates
   * what was missing and nothing twice. A connection's sends are rate limited (`limitRate`); a backend's
   * count against its tenant's publish quota instead (routes/chat.ts).
   */
  async send(org: string, user: string, p: Params, limitRate = false) {
    const room = roomParam(p);
    const text = textParam(p, 'data' in p);
    const data = optionalData(p, this.deps.maxDataDepth);
    const clientId = optionalClientId(p);
    const replyTo = optionalMessageId(p, 'reply_to');
    const threadId = optionalMessageId(p, 'thread_id');
    const mentions = optionalMentions(p);
    // After the checks: a refused send costs no token.
    if (limitRate) this.chargeWrite(org, user);
    const sent = await this.change(org, user, () =>
      this.store().send(org, {
        room,
        user,
        text,
        ...data,
        ...(clientId === undefined ? {} : { clientId }),
        ...(replyTo === undefined ? {} : { replyTo }),
        ...(threadId === undefined ? {} : { threadId }),
        ...(mentions === undefined ? {} : { mentions }),
      }),
    );
    await this.notifyMentions(org, sent.message);
    return { message: sent.message, duplicate: sent.duplicate };
  }

  /** A page of a room's messages, read as `user` (who must be a member). */
  async history(org: string, user: string, p: Params) {
    const room = roomParam(p);
    const limit = limitParam(p);
    const before = optionalMessageId(p, 'before');
    const after = optionalMessageId(p, 'after');
    if (before !== undefined && after !== undefined)
      throw badRequest("give 'before' or 'after', not both");
    const threadId = optionalMessageId(p, 'thread_id');
    await this.inFlight.settled(org, user);
    return this.store().history(org, room, user, {
      limit,
      ...(before === undefined ? {} : { before }),
      ...(after === undefined ? {} : { after }),
      ...(threadId === undefined ? {} : { threadId }),
    });
  }

  /**
   * `GET /api/chat/history`: as `reader` when the backend names one, else as the room's first
   * member. History is the same for every member (nothing in it is per reader), and the store
   * reads only for members, so any member's view is the room's.
   */
  async backendHistory(org: string, reader: string | undefined, p: Params) {
    if (reader !== undefined) return this.history(org, reader, p);
    const room = roomParam(p);
    const [first] = await this.store().members(org, room);
    if (first === undefined) throw notFound(`no room '${room}'`);
    return this.history(org, first.user, p);
  }

  private async notifyMentions(org: string, message: ChatMessage): Promise<void> {
    const users = (message.mentions ?? []).filter((u) => u !== message.user);
    if (users.length === 0) return;
    const excerpt = message.text.slice(0, CHAT_EXCERPT_CHARS);
    await this.deps.notify(org, {
      users,
      notification: {
        kind: MENTION_KIND,
        title: `${message.user} mentioned you in #${message.room}`,
        ...(excerpt === '' ? {} : { body: excerpt }),
        data: { room: message.room, message_id: message.id },
      },
      key: `chat-mention:${message.id}`,
    });
  }

  /** Commits a change through the store, then its events into the log (notifications.ts). */
  private change<T>(org: string, users: string | readonly string[], work: () => Promise<T>) {
    return this.inFlight.track(org, typeof users === 'string' ? [users] : users, async () => {
      const result = await work();
      await this.deps.flushPushes();
      return result;
    });
  }

  private chargeWrite(org: string, user: string): void {
    if (!this.deps.sendRate.take(org, user, this.nowMs()))
      throw rateLimited('too many chat messages and changes; slow down');
  }

  private store(): ChatStore {
    return this.deps.store();
  }
}

const ROOM_METHODS: ReadonlySet<string> = new Set([
  'chat.createRoom',
  'chat.room',
  'chat.members',
  'chat.addMembers',
  'chat.removeMember',
  'chat.leave',
  'chat.setRole',
  'chat.send',
  'chat.typing',
  'chat.edit',
  'chat.delete',
  'chat.react',
  'chat.pin',
  'chat.unpin',
  'chat.pinned',
  'chat.history',
  'chat.search',
  'chat.markRead',
]);

/** Rooms the connection's token grants; the others stay out of its lists. */
function grants(caller: ChatCaller, room: string): boolean {
  return checkSubscribe(caller.user, caller.subscribeGrants, chatChannel(room)) === undefined;
}

function roomOfUser(r: RoomOfUser) {
  return {
    room: r.room,
    role: r.role,
    unread: r.unread,
    ...(r.last_read === undefined ? {} : { last_read: r.last_read }),
  };
}

/**
 * The protocol's chat shapes are plain JSON, but TS interfaces carry no index signature, so
 * they are not `JsonValue` to the compiler: this is the one place that says they are.
 */
function json(value: object): JsonValue {
  return value as JsonValue;
}

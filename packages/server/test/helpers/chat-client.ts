/**
 * What the chat tests share (docs/chat.md): nodes on each store backend (a SQLite file in a
 * temp dir, a database of a real PostgreSQL started once per file), `chat.*` rpc calls over raw
 * frames, and readers of the events on `chat.<room>` and `user.<id>.chat`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, expect } from 'vitest';
import type { ErrorReply, EventPush, ServerMessage } from '@hubcast/protocol';
import type { ConfigInput } from '../../src/index.js';
import { startPostgres, type PostgresServer } from './postgres.js';
import type { TestNode } from './test-node.js';
import { useTestNodes, type ConnectedClient } from './ws-client.js';

export type ChatBackend = 'memory' | 'sqlite' | 'postgres';
export const CHAT_BACKENDS: readonly ChatBackend[] = ['sqlite', 'postgres'];
/** The backend of the tests about the node rather than the store (gating, cluster). */
export const NODE_TEST_BACKEND: ChatBackend = 'sqlite';

/**
 * Starts nodes whose store is `backend` (the log stays in memory: the store is under test).
 * Call once at the top of a file; PostgreSQL starts on first use and stops after the file.
 */
export function useChatNodes(): (
  backend: ChatBackend,
  overrides?: ConfigInput,
) => Promise<TestNode> {
  const dirs: string[] = [];
  let pg: Promise<PostgresServer> | undefined;
  // Registered before the nodes' hook, so it runs after it (hooks run as a stack).
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  const start = useTestNodes();
  afterAll(async () => {
    await (await pg)?.stop();
  });
  return async (backend, overrides = {}) => {
    if (backend === 'memory') return start({ store: 'memory', ...overrides });
    if (backend === 'sqlite') {
      const dataDir = mkdtempSync(join(tmpdir(), 'hubcast-chat-'));
      dirs.push(dataDir);
      return start({ store: 'sqlite', dataDir, ...overrides });
    }
    pg ??= startPostgres();
    const postgresUrl = await (await pg).createDatabase();
    return start({ store: 'postgres', postgresUrl, ...overrides });
  };
}

let rpcId = 1;

/** Calls a `chat.*` (or any) rpc method and answers its result; fails on an error reply. */
export async function rpc(
  client: ConnectedClient,
  method: string,
  params?: unknown,
): Promise<Record<string, unknown>> {
  const reply: ServerMessage = await client.request({
    type: 'rpc',
    id: ++rpcId,
    method,
    ...(params === undefined ? {} : { params }),
  });
  if (reply.type !== 'result') throw new Error(`${method} answered ${JSON.stringify(reply)}`);
  return reply.result as Record<string, unknown>;
}

/** Calls an rpc method that must fail; answers the error reply. */
export async function rpcError(
  client: ConnectedClient,
  method: string,
  params?: unknown,
): Promise<ErrorReply> {
  const reply = await client.request({
    type: 'rpc',
    id: ++rpcId,
    method,
    ...(params === undefined ? {} : { params }),
  });
  if (reply.type !== 'error') throw new Error(`${method} answered ${JSON.stringify(reply)}`);
  return reply;
}

/** Expects an rpc to fail with `code`; answers the message. */
export async function refused(
  client: ConnectedClient,
  method: string,
  params: unknown,
  code: string,
): Promise<string> {
  const error = await rpcError(client, method, params);
  expect(error.code, `${method} ${JSON.stringify(params)}: ${error.message}`).toBe(code);
  return error.message;
}

export type ChatEventData = Record<string, unknown> & { type: string };

/** The next event on `channel`, with its data. */
export async function nextOn(client: ConnectedClient, channel: string): Promise<EventPush> {
  const { match } = await client.takeUntil((m) => m.type === 'event' && m.channel === channel);
  return match as EventPush;
}

/** The data of the next event on `channel`. */
export async function nextData(client: ConnectedClient, channel: string): Promise<ChatEventData> {
  return (await nextOn(client, channel)).data as ChatEventData;
}

/** Events received on `channel` that no test took yet, proving nothing else came (`quiet`). */
export async function eventsOn(client: ConnectedClient, channel: string): Promise<EventPush[]> {
  const rest = await client.quiet();
  return rest.filter((m): m is EventPush => m.type === 'event' && m.channel === channel);
}

/** The data of the next event on `channel` whose data has `type`, skipping others. */
export async function nextOfType(
  client: ConnectedClient,
  channel: string,
  type: string,
): Promise<ChatEventData> {
  const { match } = await client.takeUntil(
    (m) =>
      m.type === 'event' &&
      m.channel === channel &&
      (m.data as { type?: unknown } | null)?.type === type,
  );
  return (match as EventPush).data as ChatEventData;
}

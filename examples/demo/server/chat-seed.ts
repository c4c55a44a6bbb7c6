/**
 * Makes the demo's chat room `lobby` (members: the demo's users and a bot) through the node's
 * backend API, once: on later starts the room exists (409) and only gets members it lacks
 * (a data dir from before a user was added).
 */
export const CHAT_ROOM = 'lobby';
export const BOT_USER = 'demo-bot';

export async function seedChat(
  nodeUrl: string,
  apiKey: string,
  users: readonly string[],
): Promise<void> {
  const post = (path: string, body: unknown): Promise<Response> =>
    fetch(`${nodeUrl}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ org: 'dev', ...(body as object) }),
    });
  const created = await post('/api/chat/rooms', {
    room: CHAT_ROOM,
    title: 'Lobby',
    members: [...users, BOT_USER],
  });
  if (created.status === 409) {
    const added = await post('/api/chat/members', { room: CHAT_ROOM, users });
    if (!added.ok) throw new Error(`adding the demo users answered ${added.status}`);
    return;
  }
  if (!created.ok) throw new Error(`creating chat room '${CHAT_ROOM}' answered ${created.status}`);
  const sent = await post('/api/chat/send', {
    room: CHAT_ROOM,
    user: BOT_USER,
    text: 'Welcome! Reply, react, pin, edit your own messages or open a thread.',
  });
  if (!sent.ok) throw new Error(`the welcome message answered ${sent.status}`);
}

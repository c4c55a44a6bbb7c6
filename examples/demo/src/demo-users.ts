/**
 * The demo's users: `dev-user` is the dev node's own (`/dev.json`); the demo's server signs
 * tokens for the others (server/users.ts), so chat, presence and the bell can be tried by two.
 */
export const DEMO_USERS = ['dev-user', 'alice', 'bob'] as const;

/**
 * The demo's users. The dev node's `/dev.json` serves one (`dev-user`); to try chat, presence
 * and the bell with two people, the demo signs tokens for a fixed few more with the node's dev
 * secret, as an app backend would after its own login. Only these names get a token.
 */
import { SignJWT } from 'jose';
import { DEMO_USERS } from '../src/demo-users.js';
import { DEV_ORG } from './simulator.js';

export { DEMO_USERS };
const TOKEN_TTL_SECONDS = 3600;

export const isDemoUser = (user: unknown): user is string =>
  typeof user === 'string' && (DEMO_USERS as readonly string[]).includes(user);

/** A token like the dev node's own (`publish: ['>']`, the user's name as `info`). */
export function demoToken(jwtSecret: string, user: string): Promise<string> {
  return new SignJWT({ org: DEV_ORG, publish: ['>'], info: { name: user } })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(user)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + TOKEN_TTL_SECONDS)
    .sign(new TextEncoder().encode(jwtSecret));
}

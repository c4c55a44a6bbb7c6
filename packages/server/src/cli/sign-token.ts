import { SignJWT } from 'jose';

export interface DevTokenClaims {
  user: string;
  org: string;
  subscribe?: readonly string[];
  publish?: readonly string[];
  info?: unknown;
  ttlSeconds: number;
}

/** Signs an HS256 token the way an app backend would (for `hubcast token` and `--dev`). */
export function signToken(secret: string, c: DevTokenClaims): Promise<string> {
  const payload: Record<string, unknown> = { org: c.org };
  if (c.subscribe !== undefined) payload['subscribe'] = c.subscribe;
  if (c.publish !== undefined) payload['publish'] = c.publish;
  if (c.info !== undefined) payload['info'] = c.info;
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(c.user)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + c.ttlSeconds)
    .sign(new TextEncoder().encode(secret));
}

/**
 * Validation of `push.register` params (docs/push.md): the browser's `PushSubscription.toJSON()`
 * and an optional device name. Keys are checked for what RFC 8291 needs (a P-256 point, a
 * 16-byte secret), so a bad subscription fails at register, not at every send.
 */
import { ECDH } from 'node:crypto';
import { badRequest, isObject } from '@hubcast/protocol';
import type { PushSubscriptionInput } from '../../store/push-store.js';
import { checkEndpoint } from './endpoint-guard.js';

const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;
export const DEVICE_MAX_CHARS = 64;

export function parseRegister(
  params: Record<string, unknown>,
  allowInsecure: boolean,
): PushSubscriptionInput {
  onlyFields(params, ['subscription', 'device'], 'params');
  const s = params['subscription'];
  if (!isObject(s)) throw badRequest("'subscription' must be an object {endpoint, keys}");
  onlyFields(s, ['endpoint', 'keys', 'expirationTime'], 'subscription');
  const expiration = s['expirationTime'];
  if (expiration !== undefined && expiration !== null && typeof expiration !== 'number')
    throw badRequest("'subscription.expirationTime' must be a number or null");
  const endpoint = checkEndpoint(s['endpoint'], allowInsecure).href;
  const keys = s['keys'];
  if (!isObject(keys)) throw badRequest("'subscription.keys' must be an object {p256dh, auth}");
  onlyFields(keys, ['p256dh', 'auth'], 'subscription.keys');
  const p256dh = decodeKey(keys['p256dh'], 'p256dh', 65);
  try {
    // Throws unless the 65 bytes are an uncompressed point on P-256.
    ECDH.convertKey(p256dh, 'prime256v1');
  } catch {
    throw badRequest("'subscription.keys.p256dh' must be a P-256 public key");
  }
  const auth = decodeKey(keys['auth'], 'auth', 16);
  const device = params['device'];
  if (
    device !== undefined &&
    (typeof device !== 'string' ||
      device.length === 0 ||
      device.length > DEVICE_MAX_CHARS ||
      /[\u0000-\u001f\u007f]/.test(device))
  )
    throw badRequest(`'device' must be a string of 1-${DEVICE_MAX_CHARS} printable characters`);
  return {
    endpoint,
    p256dh: p256dh.toString('base64url'),
    auth: auth.toString('base64url'),
    ...(device === undefined ? {} : { device }),
  };
}

/** `push.unregister`'s endpoint: any string a subscription could have. */
export function parseEndpointParam(params: Record<string, unknown>): string {
  onlyFields(params, ['endpoint'], 'params');
  const endpoint = params['endpoint'];
  if (typeof endpoint !== 'string' || endpoint.length === 0 || endpoint.length > 2048)
    throw badRequest("'endpoint' must be a string of 1-2048 characters");
  // Stored as `push.register` normalized it (URL.href), so the same spelling finds it again.
  try {
    return new URL(endpoint).href;
  } catch {
    return endpoint;
  }
}

function decodeKey(value: unknown, name: string, bytes: number): Buffer {
  const field = `'subscription.keys.${name}'`;
  if (typeof value !== 'string' || value.length > 200 || !BASE64URL.test(value))
    throw badRequest(`${field} must be a base64url string`);
  const decoded = Buffer.from(value, 'base64url');
  if (decoded.length !== bytes) throw badRequest(`${field} must decode to ${bytes} bytes`);
  return decoded;
}

function onlyFields(o: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const key of Object.keys(o))
    if (!allowed.includes(key))
      throw badRequest(`'${where}' has an unknown field '${key.slice(0, 32)}'`);
}

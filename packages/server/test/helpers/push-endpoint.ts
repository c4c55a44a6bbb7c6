/**
 * A local Web Push service for tests (node:http on 127.0.0.1, port 0). It records every push,
 * checks what a real push service checks (RFC 8030/8291/8292): the VAPID `Authorization: vapid
 * t=<jwt>, k=<key>` header with an ES256 JWT whose `aud` is this origin, `exp` in the future and
 * `sub` the configured subject, `Content-Encoding: aes128gcm`, a `TTL`. It answers 201, or the
 * statuses a test queued per endpoint (410, 404, 429, 500...). `testSubscription()` makes a
 * browser-like subscription whose private key lets `decryptPush()` read the payload (RFC 8291).
 */
import { createDecipheriv, createECDH, createHmac, randomBytes, type ECDH } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { importJWK, jwtVerify } from 'jose';

export interface RecordedPush {
  /** The last path segment: which test subscription it was for. */
  name: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** What was wrong with the request (empty for a valid push). */
  problems: string[];
  /** The status answered. */
  status: number;
}

export interface PushEndpoint {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** The endpoint URL of the subscription `name`. */
  url(name: string): string;
  readonly pushes: RecordedPush[];
  /** Answers the next pushes to `name` with these statuses, in order, then 201 again. */
  respond(name: string, ...answers: (number | { status: number; retryAfter?: string })[]): void;
  /** Resolves once `count` pushes (to `name`, or to any) were recorded. */
  waitFor(count: number, name?: string, timeoutMs?: number): Promise<RecordedPush[]>;
  stop(): Promise<void>;
}

export interface VapidExpectation {
  publicKey: string;
  subject: string;
}

export async function startPushEndpoint(vapid: VapidExpectation): Promise<PushEndpoint> {
  const pushes: RecordedPush[] = [];
  const queued = new Map<string, { status: number; retryAfter?: string }[]>();
  const waiters = new Set<() => void>();
  let origin = '';

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        const name = (req.url ?? '').split('/').pop() ?? '';
        const problems = await checkPush(req.method, req.headers, vapid, origin);
        const answer = queued.get(name)?.shift() ?? { status: 201 };
        const status = problems.length > 0 ? 400 : answer.status;
        pushes.push({ name, headers: req.headers, body: Buffer.concat(chunks), problems, status });
        res.writeHead(
          status,
          answer.retryAfter === undefined ? {} : { 'Retry-After': answer.retryAfter },
        );
        res.end();
        for (const wake of [...waiters]) wake();
      })();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    origin,
    url: (name) => `${origin}/push/${name}`,
    pushes,
    respond(name, ...answers) {
      const list = queued.get(name) ?? [];
      for (const a of answers) list.push(typeof a === 'number' ? { status: a } : a);
      queued.set(name, list);
    },
    waitFor(count, name, timeoutMs = 5000) {
      const matching = () => pushes.filter((p) => name === undefined || p.name === name);
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (matching().length < count) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(matching());
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          const seen = pushes.map((p) => `${p.name}:${p.status}`).join(', ');
          reject(
            new Error(`timed out waiting for ${count} pushes to ${name ?? 'any'}; got [${seen}]`),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Everything a push service would refuse in this request. */
async function checkPush(
  method: string | undefined,
  headers: IncomingHttpHeaders,
  vapid: VapidExpectation,
  origin: string,
): Promise<string[]> {
  const problems: string[] = [];
  if (method !== 'POST') problems.push(`method ${method ?? '?'}`);
  if (headers['content-encoding'] !== 'aes128gcm')
    problems.push(`content-encoding ${String(headers['content-encoding'])}`);
  const ttl = headers['ttl'];
  if (typeof ttl !== 'string' || !/^\d+$/.test(ttl)) problems.push(`ttl ${String(ttl)}`);
  const auth = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(headers.authorization ?? '');
  if (auth === null) {
    problems.push('authorization is not "vapid t=..., k=..."');
    return problems;
  }
  const [, jwt = '', key = ''] = auth;
  if (key !== vapid.publicKey) problems.push('k is not the VAPID public key');
  try {
    const raw = Buffer.from(vapid.publicKey, 'base64url');
    const publicKey = await importJWK(
      {
        kty: 'EC',
        crv: 'P-256',
        x: raw.subarray(1, 33).toString('base64url'),
        y: raw.subarray(33, 65).toString('base64url'),
      },
      'ES256',
    );
    const { payload } = await jwtVerify(jwt, publicKey, {
      algorithms: ['ES256'],
      audience: origin,
      subject: vapid.subject,
      requiredClaims: ['exp'],
    });
    if ((payload.exp ?? 0) <= Date.now() / 1000) problems.push('exp is not in the future');
  } catch (err) {
    problems.push(`jwt: ${(err as Error).message}`);
  }
  return problems;
}

/** A browser's side of a subscription: what it sends to `push.register`, and its private key. */
export interface TestSubscription {
  subscription: { endpoint: string; keys: { p256dh: string; auth: string } };
  ecdh: ECDH;
  authSecret: Buffer;
}

export function testSubscription(endpoint: string): TestSubscription {
  const ecdh = createECDH('prime256v1');
  ecdh.generateKeys();
  const authSecret = randomBytes(16);
  return {
    subscription: {
      endpoint,
      keys: {
        p256dh: ecdh.getPublicKey().toString('base64url'),
        auth: authSecret.toString('base64url'),
      },
    },
    ecdh,
    authSecret,
  };
}

const hmac = (key: Buffer, data: Buffer): Buffer => createHmac('sha256', key).update(data).digest();

/** The plaintext of an aes128gcm push body (RFC 8291 §3.4, RFC 8188), as the browser reads it. */
export function decryptPush(body: Buffer, sub: TestSubscription): string {
  const salt = body.subarray(0, 16);
  const idLength = body.readUInt8(20);
  const senderKey = body.subarray(21, 21 + idLength);
  const ciphertext = body.subarray(21 + idLength);
  const receiverKey = sub.ecdh.getPublicKey();
  const secret = sub.ecdh.computeSecret(senderKey);
  const keyInfo = Buffer.concat([
    Buffer.from('WebPush: info\0'),
    receiverKey,
    senderKey,
    Buffer.from([1]),
  ]);
  const ikm = hmac(hmac(sub.authSecret, secret), keyInfo);
  const prk = hmac(salt, ikm);
  const cek = hmac(prk, Buffer.from('Content-Encoding: aes128gcm\0\x01')).subarray(0, 16);
  const nonce = hmac(prk, Buffer.from('Content-Encoding: nonce\0\x01')).subarray(0, 12);
  const decipher = createDecipheriv('aes-128-gcm', cek, nonce);
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const padded = Buffer.concat([
    decipher.update(ciphertext.subarray(0, ciphertext.length - 16)),
    decipher.final(),
  ]);
  // The last record ends with the delimiter 0x02, then zero padding.
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (padded[end] !== 2) throw new Error('no last-record delimiter in the push');
  return padded.subarray(0, end).toString('utf8');
}

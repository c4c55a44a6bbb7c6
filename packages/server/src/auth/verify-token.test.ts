/**
 * Token verification with real keys (jose): every algorithm family of PROTOCOL.md §6, from
 * config PEM, a JWKS file and a JWKS URL; `alg: none`, wrong keys, expiry, aud/iss and claim
 * shapes refused with `unauthorized` and a message that never echoes the token.
 */
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, exportJWK, exportSPKI, generateKeyPair, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load.js';
import type { ConfigInput } from '../config/schema.js';
import { createTokenVerifier, type TokenVerifier } from './verify-token.js';

// Key files of the tests below; removed when the file is done.
const scratch = mkdtempSync(join(tmpdir(), 'hubcast-verify-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const SECRET = 'verify-token-test-secret-0123456789';
const now = (): number => Math.floor(Date.now() / 1000);

function verifierFor(file: ConfigInput): Promise<TokenVerifier> {
  return createTokenVerifier(loadConfig({ file, env: {} }));
}

type Key = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

function sign(
  key: Key | Uint8Array,
  alg: string,
  claims: Record<string, unknown> = {},
  kid?: string,
): Promise<string> {
  return new SignJWT({ org: 'acme', ...claims })
    .setProtectedHeader({ alg, ...(kid === undefined ? {} : { kid }) })
    .setSubject((claims['sub'] as string | undefined) ?? 'alice')
    .setExpirationTime((claims['exp'] as number | undefined) ?? now() + 60)
    .sign(key);
}

/** An HS256 token over a payload given as JSON text, for values JSON.stringify cannot write. */
function rawHs256(payloadJson: string): string {
  const head = Buffer.from('{"alg":"HS256"}').toString('base64url');
  const body = Buffer.from(payloadJson).toString('base64url');
  const sig = createHmac('sha256', SECRET).update(`${head}.${body}`).digest('base64url');
  return `${head}.${body}.${sig}`;
}

async function expectUnauthorized(
  p: Promise<unknown>,
  message: RegExp,
  token?: string,
): Promise<void> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toMatchObject({ code: 'unauthorized' });
  expect((err as Error).message).toMatch(message);
  if (token !== undefined) expect((err as Error).message).not.toContain(token);
}

describe('HS256 secret', () => {
  const hmac = new TextEncoder().encode(SECRET);
  it('accepts a good token and maps the claims', async () => {
    const verify = await verifierFor({ jwtSecret: SECRET });
    const claims = await verify(
      await sign(hmac, 'HS256', { subscribe: ['a.>'], publish: ['a.b'], info: { name: 'A' } }),
    );
    expect(claims).toMatchObject({
      user: 'alice',
      org: 'acme',
      subscribe: ['a.>'],
      publish: ['a.b'],
      info: { name: 'A' },
    });
  });

  it('defaults grants to subscribe [">"] and publish []', async () => {
    const verify = await verifierFor({ jwtSecret: SECRET });
    const claims = await verify(await sign(hmac, 'HS256'));
    expect(claims.subscribe).toEqual(['>']);
    expect(claims.publish).toEqual([]);
  });

  it.each([['HS384'], ['HS512']])('accepts %s', async (alg) => {
    const verify = await verifierFor({ jwtSecret: SECRET });
    await expect(verify(await sign(hmac, alg))).resolves.toMatchObject({ user: 'alice' });
  });

  it('refuses alg none', async () => {
    const verify = await verifierFor({ jwtSecret: SECRET });
    const b64 = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
    const token = `${b64({ alg: 'none' })}.${b64({ sub: 'alice', org: 'acme', exp: now() + 60 })}.`;
    await expectUnauthorized(verify(token), /malformed|not allowed|invalid/, token);
  });

  it.each([
    [
      'a wrong secret',
      async () => sign(new TextEncoder().encode('another-secret-0123456789'), 'HS256'),
      /signature/,
    ],
    ['an expired token', async () => sign(hmac, 'HS256', { exp: now() - 10 }), /expired/],
    ['no org', async () => sign(hmac, 'HS256', { org: undefined }), /'org'/],
    ['a bad org', async () => sign(hmac, 'HS256', { org: 'a.b' }), /'org'/],
    ['a bad subscribe claim', async () => sign(hmac, 'HS256', { subscribe: 'a.>' }), /'subscribe'/],
    ['a bad publish pattern', async () => sign(hmac, 'HS256', { publish: ['a..b'] }), /'publish'/],
    ['garbage', () => Promise.resolve('not.a.jwt'), /malformed|invalid/],
    // 1e400 is Infinity once parsed: a connection that would never expire
    [
      'an exp past any number',
      () => Promise.resolve(rawHs256('{"sub":"a","org":"acme","exp":1e400}')),
      /'exp'/,
    ],
  ])('refuses %s', async (_name, make, message) => {
    const verify = await verifierFor({ jwtSecret: SECRET });
    const token = await make();
    await expectUnauthorized(verify(token), message, token);
  });

  it('refuses an RS256 token: a secret verifies HS algorithms only', async () => {
    const verify = await verifierFor({ jwtSecret: SECRET });
    const rsa = await generateKeyPair('RS256');
    const token = await sign(rsa.privateKey, 'RS256');
    await expectUnauthorized(verify(token), /algorithm not allowed/, token);
  });

  it('checks aud and iss when configured', async () => {
    const verify = await verifierFor({ jwtSecret: SECRET, jwtAudience: 'hub', jwtIssuer: 'app' });
    await expect(
      verify(await sign(hmac, 'HS256', { aud: 'hub', iss: 'app' })),
    ).resolves.toMatchObject({ user: 'alice' });
    await expectUnauthorized(
      verify(await sign(hmac, 'HS256', { aud: 'other', iss: 'app' })),
      /'aud'/,
    );
    await expectUnauthorized(verify(await sign(hmac, 'HS256', { aud: 'hub' })), /'iss'/);
  });
});

describe.each([['RS256'], ['ES256'], ['EdDSA']])('%s public key', (alg) => {
  let keys: Awaited<ReturnType<typeof generateKeyPair>>;
  let other: Awaited<ReturnType<typeof generateKeyPair>>;
  beforeAll(async () => {
    keys = await generateKeyPair(alg, { extractable: true });
    other = await generateKeyPair(alg, { extractable: true });
  });

  it('verifies with a PEM given inline or as a file', async () => {
    const pem = await exportSPKI(keys.publicKey);
    const dir = mkdtempSync(join(scratch, 'keys-'));
    writeFileSync(join(dir, 'key.pem'), pem);
    for (const source of [pem, join(dir, 'key.pem')]) {
      const verify = await verifierFor({ jwtPublicKey: source });
      await expect(verify(await sign(keys.privateKey, alg))).resolves.toMatchObject({
        user: 'alice',
        org: 'acme',
      });
      await expectUnauthorized(verify(await sign(other.privateKey, alg)), /signature/);
    }
  });

  it('refuses an HS256 token signed with the public key as secret', async () => {
    const pem = await exportSPKI(keys.publicKey);
    const verify = await verifierFor({ jwtPublicKey: pem });
    await expectUnauthorized(
      verify(await sign(new TextEncoder().encode(pem), 'HS256')),
      /not allowed|invalid|signature/,
    );
  });
});

describe('clock tolerance on exp and nbf (PROTOCOL.md §9: 5 seconds)', () => {
  /** A signing key and the config that verifies it, per kind of verification. */
  const kinds = new Map<string, { key: Key | Uint8Array; alg: string; file: ConfigInput }>();
  beforeAll(async () => {
    kinds.set('an HS256 secret', {
      key: new TextEncoder().encode(SECRET),
      alg: 'HS256',
      file: { jwtSecret: SECRET },
    });
    for (const alg of ['RS256', 'EdDSA']) {
      const pair = await generateKeyPair(alg, { extractable: true });
      kinds.set(`an ${alg} PEM key`, {
        key: pair.privateKey,
        alg,
        file: { jwtPublicKey: await exportSPKI(pair.publicKey) },
      });
    }
    const ec = await generateKeyPair('ES256', { extractable: true });
    const dir = mkdtempSync(join(scratch, 'tolerance-'));
    const jwk = { ...(await exportJWK(ec.publicKey)), alg: 'ES256', use: 'sig' };
    writeFileSync(join(dir, 'jwks.json'), JSON.stringify({ keys: [jwk] }));
    kinds.set('an ES256 JWKS file', {
      key: ec.privateKey,
      alg: 'ES256',
      file: { jwks: join(dir, 'jwks.json') },
    });
  });

  it.each([
    ['an HS256 secret'],
    ['an RS256 PEM key'],
    ['an EdDSA PEM key'],
    ['an ES256 JWKS file'],
  ])('with %s', async (kind) => {
    const { key, alg, file } = kinds.get(kind) ?? expect.fail(`no ${kind}`);
    const lenient = await verifierFor(file);
    const strict = await verifierFor({ ...file, jwtClockTolerance: 0 });
    const wide = await verifierFor({ ...file, jwtClockTolerance: 30 });
    const justExpired = await sign(key, alg, { exp: now() - 3 });
    const notYet = await sign(key, alg, { nbf: now() + 3 });
    await expect(lenient(justExpired)).resolves.toMatchObject({ user: 'alice' });
    await expect(lenient(notYet)).resolves.toMatchObject({ user: 'alice' });
    await expectUnauthorized(strict(justExpired), /token expired/);
    await expectUnauthorized(strict(notYet), /'nbf'/);
    const longExpired = await sign(key, alg, { exp: now() - 20 });
    await expectUnauthorized(lenient(longExpired), /token expired/);
    await expect(wide(longExpired)).resolves.toMatchObject({ user: 'alice' });
  });

  it('keeps exp as the token says: the tolerance is for whoever closes the connection', async () => {
    const verify = await verifierFor({ jwtSecret: SECRET, jwtClockTolerance: 30 });
    const exp = now() - 3;
    const claims = await verify(await sign(new TextEncoder().encode(SECRET), 'HS256', { exp }));
    expect(claims.expiresAt).toBe(exp);
  });
});

describe('a token over 8 KiB', () => {
  it('is refused before it is decoded, whatever verifies it', async () => {
    const hmac = new TextEncoder().encode(SECRET);
    const es = await generateKeyPair('ES256', { extractable: true });
    const cases: [TokenVerifier, Key | Uint8Array, string][] = [
      [await verifierFor({ jwtSecret: SECRET }), hmac, 'HS256'],
      [await verifierFor({ jwtPublicKey: await exportSPKI(es.publicKey) }), es.privateKey, 'ES256'],
    ];
    for (const [verify, key, alg] of cases) {
      const fits = await sign(key, alg, { info: { bio: 'x'.repeat(6000) } });
      await expect(verify(fits)).resolves.toMatchObject({ user: 'alice' });
      const big = await sign(key, alg, { info: { bio: 'x'.repeat(8192) } });
      await expectUnauthorized(verify(big), /token is too long/, big);
    }
  });
});

describe('a PEM file holding keys of several types (rotation)', () => {
  type Pair = Awaited<ReturnType<typeof generateKeyPair>>;
  let rsa: Pair;
  let rsaNext: Pair;
  let ec: Pair;
  let ed: Pair;
  beforeAll(async () => {
    const pair = (alg: string): Promise<Pair> => generateKeyPair(alg, { extractable: true });
    rsa = await pair('RS256');
    rsaNext = await pair('RS256');
    ec = await pair('ES256');
    ed = await pair('EdDSA');
  });

  /** A verifier for a key file holding the public halves of `pairs`, in that order. */
  async function verifierForFile(...pairs: Pair[]): Promise<TokenVerifier> {
    const pems = await Promise.all(pairs.map((p) => exportSPKI(p.publicKey)));
    const file = join(mkdtempSync(join(scratch, 'mixed-')), 'keys.pem');
    writeFileSync(file, pems.join('\n'));
    return verifierFor({ jwtPublicKey: file });
  }

  it.each([['RS256'], ['ES256'], ['EdDSA']])(
    'verifies %s with the key of its type',
    async (alg) => {
      const verify = await verifierForFile(rsa, ec, ed);
      const key = { RS256: rsa, ES256: ec, EdDSA: ed }[alg]?.privateKey ?? expect.fail(alg);
      await expect(verify(await sign(key, alg))).resolves.toMatchObject({ user: 'alice' });
    },
  );

  it('tries every key of the type, in turn: two RSA keys around an EC key', async () => {
    const verify = await verifierForFile(rsa, ec, rsaNext);
    await expect(verify(await sign(rsaNext.privateKey, 'RS256'))).resolves.toMatchObject({
      user: 'alice',
    });
    const stranger = await generateKeyPair('RS256');
    await expectUnauthorized(verify(await sign(stranger.privateKey, 'RS256')), /signature/);
  });

  it('refuses a token whose alg matches no key in the file, without echoing it', async () => {
    const verify = await verifierForFile(rsa, ed);
    const token = await sign(ec.privateKey, 'ES256');
    await expectUnauthorized(verify(token), /^no key matches the token$/, token);
  });

  it('checks a token only against keys of its alg: an RSA signature under an ES256 header', async () => {
    const verify = await verifierForFile(rsa, ec);
    const [, payload, signature] = (await sign(rsa.privateKey, 'RS256')).split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'ES256' })).toString('base64url');
    const token = `${header}.${payload}.${signature}`;
    await expectUnauthorized(verify(token), /^token signature is invalid$/, token);
  });

  it('refuses at start a key of no supported type (EC P-384)', async () => {
    const p384 = await generateKeyPair('ES384', { extractable: true });
    await expect(verifierForFile(rsa, p384)).rejects.toThrow(/not RSA, EC P-256 or Ed25519/);
  });
});

describe('JWKS', () => {
  let server: Server;
  let url: string;
  let rsa: Awaited<ReturnType<typeof generateKeyPair>>;
  let ec: Awaited<ReturnType<typeof generateKeyPair>>;
  let jwks: { keys: JWK[] };

  beforeAll(async () => {
    rsa = await generateKeyPair('RS256', { extractable: true });
    ec = await generateKeyPair('ES256', { extractable: true });
    jwks = {
      keys: [
        { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
        { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
      ],
    };
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(jwks));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no address');
    url = `http://127.0.0.1:${address.port}/.well-known/jwks.json`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('picks the key by kid from a JWKS URL', async () => {
    // plain http is for dev only (config/load.ts); this server is local and in-process
    const verify = await verifierFor({ jwks: url, dev: true });
    await expect(verify(await sign(rsa.privateKey, 'RS256', {}, 'rsa-1'))).resolves.toMatchObject({
      user: 'alice',
    });
    await expect(verify(await sign(ec.privateKey, 'ES256', {}, 'ec-1'))).resolves.toMatchObject({
      user: 'alice',
    });
    await expectUnauthorized(
      verify(await sign(rsa.privateKey, 'RS256', {}, 'unknown')),
      /no key matches|invalid/,
    );
  });

  it('reads a JWKS file', async () => {
    const dir = mkdtempSync(join(scratch, 'jwks-'));
    writeFileSync(join(dir, 'jwks.json'), JSON.stringify(jwks));
    const verify = await verifierFor({ jwks: join(dir, 'jwks.json') });
    await expect(verify(await sign(ec.privateKey, 'ES256', {}, 'ec-1'))).resolves.toMatchObject({
      org: 'acme',
    });
  });
});

/**
 * The synchronous HS256/384/512 verifier against hostile and odd tokens. Each row's message is
 * also checked against `jose` jwtVerify (the verifier this one replaces on the HS path), so the
 * two refuse alike; rows where this one is deliberately stricter say so.
 */
import { createHmac } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { isHubcastError } from '@hubcast/protocol';
import { describeJoseError } from './token-errors.js';
import { createHmacVerifier, type HmacVerifierOptions } from './verify-hmac.js';

const SECRET = 'verify-hmac-test-secret-0123456789';
const NOW = 1_900_000_000;
const NOW_MS = NOW * 1000 + 500;
const OPTIONS: HmacVerifierOptions = {
  secret: SECRET,
  clockToleranceSeconds: 5,
  nowMs: () => NOW_MS,
};
const verify = createHmacVerifier(OPTIONS);

const b64 = (v: string | Uint8Array): string => Buffer.from(v).toString('base64url');
const json = (v: unknown): string => b64(JSON.stringify(v));
const HEADER = json({ alg: 'HS256', typ: 'JWT' });
const CLAIMS = { sub: 'alice', org: 'acme', exp: NOW + 60 };
const PAYLOAD = json(CLAIMS);

/** A token over raw segments, signed as `alg` says (any header text may be tried). */
function hs(header: string, payload: string, alg = 'HS256', secret = SECRET): string {
  const input = `${header}.${payload}`;
  return `${input}.${createHmac(`sha${alg.slice(2)}`, secret)
    .update(input)
    .digest('base64url')}`;
}

function joseSign(alg: string, claims: Record<string, unknown> = CLAIMS, secret = SECRET) {
  return new SignJWT(claims).setProtectedHeader({ alg }).sign(new TextEncoder().encode(secret));
}

/** What the verifier says: the claims, or the message of its `unauthorized`. */
function outcome(token: string, v = verify): Record<string, unknown> | string {
  try {
    return v(token);
  } catch (err) {
    if (!isHubcastError(err)) throw err;
    expect(err.code).toBe('unauthorized');
    // (a short token's letters may well occur in any message)
    if (token.length >= 16) expect(err.message).not.toContain(token);
    return err.message;
  }
}

/** What jose's jwtVerify says of the same token under the same options. */
async function joseOutcome(
  token: string,
  options: HmacVerifierOptions = OPTIONS,
): Promise<Record<string, unknown> | string> {
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(options.secret), {
      algorithms: ['HS256', 'HS384', 'HS512'],
      requiredClaims: ['sub', 'exp'],
      clockTolerance: options.clockToleranceSeconds,
      currentDate: new Date(options.nowMs?.() ?? Date.now()),
      ...(options.audience === undefined ? {} : { audience: options.audience }),
      ...(options.issuer === undefined ? {} : { issuer: options.issuer }),
    });
    return payload;
  } catch (err) {
    return describeJoseError(err);
  }
}

describe('createHmacVerifier accepts', () => {
  it.each([['HS256'], ['HS384'], ['HS512']])('%s signed by jose', async (alg) => {
    const token = await joseSign(alg, { ...CLAIMS, subscribe: ['a.>'] });
    expect(outcome(token)).toEqual({ ...CLAIMS, subscribe: ['a.>'] });
    expect(await joseOutcome(token)).toEqual(outcome(token));
  });

  it('a secret with non-ASCII characters (its UTF-8 bytes are the key)', async () => {
    const secret = 'sécret-ünïcode-0123456789-€';
    const token = await joseSign('HS256', CLAIMS, secret);
    expect(outcome(token, createHmacVerifier({ ...OPTIONS, secret }))).toEqual(CLAIMS);
  });

  it.each<[label: string, token: () => string]>([
    ['a kid and a typ', () => hs(json({ alg: 'HS256', kid: 'k1', typ: 'JWT' }), PAYLOAD)],
    // JSON.parse keeps the last of duplicate keys, as jose does; the signature covers the bytes
    ['a duplicate alg whose last is HS256', () => hs(b64('{"alg":"none","alg":"HS256"}'), PAYLOAD)],
    [
      'crit naming b64 with b64 true',
      () => hs(json({ alg: 'HS256', crit: ['b64'], b64: true }), PAYLOAD),
    ],
    [
      'an exp that passed within the tolerance',
      () => hs(HEADER, json({ ...CLAIMS, exp: NOW - 4 })),
    ],
  ])('%s, as jose does', async (_label, make) => {
    const token = make();
    expect(typeof outcome(token)).toBe('object');
    expect(await joseOutcome(token)).toEqual(outcome(token));
  });
});

describe('createHmacVerifier refuses, with unauthorized and the message jose gives', () => {
  const signed = hs(HEADER, PAYLOAD);
  const [, , signature = ''] = signed.split('.');
  it.each<[label: string, token: () => string, message: string]>([
    ['an empty string', () => '', 'token is malformed'],
    ['two segments', () => `${HEADER}.${PAYLOAD}`, 'token is malformed'],
    ['four segments', () => `${signed}.x`, 'token is malformed'],
    ['a header outside base64url', () => `%%%.${PAYLOAD}.${signature}`, 'token is malformed'],
    ['a header that is not JSON', () => hs(b64('not json'), PAYLOAD), 'token is malformed'],
    ['a header that is a list', () => hs(json([{ alg: 'HS256' }]), PAYLOAD), 'token is malformed'],
    ['a header that is null', () => hs(json(null), PAYLOAD), 'token is malformed'],
    ['a header that is a string', () => hs(json('HS256'), PAYLOAD), 'token is malformed'],
    [
      'a header that is not UTF-8',
      () => hs(b64(new Uint8Array([0x7b, 0xff, 0x7d])), PAYLOAD),
      'token is malformed',
    ],
    ['no alg', () => hs(json({ typ: 'JWT' }), PAYLOAD), 'token is malformed'],
    ['a numeric alg', () => hs(json({ alg: 256 }), PAYLOAD), 'token is malformed'],
    [
      'an alg only inside __proto__',
      () => hs(b64('{"__proto__":{"alg":"HS256"}}'), PAYLOAD),
      'token is malformed',
    ],
    ['alg none', () => `${json({ alg: 'none' })}.${PAYLOAD}.`, 'token algorithm not allowed'],
    [
      'alg none with an HMAC signature',
      () => hs(json({ alg: 'none' }), PAYLOAD),
      'token algorithm not allowed',
    ],
    [
      'alg RS256 (an asymmetric alg under a secret)',
      () => hs(json({ alg: 'RS256' }), PAYLOAD),
      'token algorithm not allowed',
    ],
    [
      'alg hs256 in lower case',
      () => hs(json({ alg: 'hs256' }), PAYLOAD),
      'token algorithm not allowed',
    ],
    [
      'a duplicate alg whose last is none',
      () => hs(b64('{"alg":"HS256","alg":"none"}'), PAYLOAD),
      'token algorithm not allowed',
    ],
    [
      'crit naming an unknown extension',
      () => hs(json({ alg: 'HS256', crit: ['exp'], exp: 1 }), PAYLOAD),
      'token is invalid',
    ],
    [
      'crit as an empty list',
      () => hs(json({ alg: 'HS256', crit: [] }), PAYLOAD),
      'token is malformed',
    ],
    [
      'crit as a string',
      () => hs(json({ alg: 'HS256', crit: 'b64', b64: true }), PAYLOAD),
      'token is malformed',
    ],
    [
      'crit naming b64 without b64',
      () => hs(json({ alg: 'HS256', crit: ['b64'] }), PAYLOAD),
      'token is malformed',
    ],
    [
      'crit naming b64 with b64 false',
      () => hs(json({ alg: 'HS256', crit: ['b64'], b64: false }), PAYLOAD),
      'token is malformed',
    ],
    [
      'crit naming b64 with b64 "false"',
      () => hs(json({ alg: 'HS256', crit: ['b64'], b64: 'false' }), PAYLOAD),
      'token is malformed',
    ],
    [
      'another secret',
      () => hs(HEADER, PAYLOAD, 'HS256', 'another-secret-0123456789'),
      'token signature is invalid',
    ],
    [
      'a tampered payload',
      () => `${HEADER}.${json({ ...CLAIMS, sub: 'root' })}.${signature}`,
      'token signature is invalid',
    ],
    ['an empty signature', () => `${HEADER}.${PAYLOAD}.`, 'token signature is invalid'],
    [
      'an HS256 signature under an HS384 header',
      () => hs(json({ alg: 'HS384' }), PAYLOAD, 'HS256'),
      'token signature is invalid',
    ],
    ['a truncated signature', () => signed.slice(0, -4), 'token signature is invalid'],
    ['a signature of 4n+1 characters', () => `${signed}AA`, 'token is malformed'],
    [
      'a signature outside base64url',
      () => `${HEADER}.${PAYLOAD}.${signature.slice(0, -1)}+`,
      'token is malformed',
    ],
    ['a signed payload outside base64url', () => hs(HEADER, `${PAYLOAD}*`), 'token is malformed'],
    [
      'a signed payload one character too long for base64',
      () => hs(HEADER, `${PAYLOAD}${'A'.repeat((5 - (PAYLOAD.length % 4)) % 4)}`),
      'token is malformed',
    ],
    ['a signed payload that is not JSON', () => hs(HEADER, b64('{"sub":')), 'token is malformed'],
    ['a signed payload that is a list', () => hs(HEADER, json([CLAIMS])), 'token is malformed'],
    [
      'a signed payload that is not UTF-8',
      () => hs(HEADER, b64(new Uint8Array([0x7b, 0xc3, 0x7d]))),
      'token is malformed',
    ],
    ['an expired token', () => hs(HEADER, json({ ...CLAIMS, exp: NOW - 5 })), 'token expired'],
    [
      'no exp',
      () => hs(HEADER, json({ sub: 'alice', org: 'acme' })),
      "token claim 'exp' is invalid",
    ],
    [
      'no sub',
      () => hs(HEADER, json({ org: 'acme', exp: NOW + 60 })),
      "token claim 'sub' is invalid",
    ],
    [
      'a sub only inside __proto__',
      () => hs(HEADER, b64(`{"__proto__":{"sub":"alice"},"exp":${NOW + 60}}`)),
      "token claim 'sub' is invalid",
    ],
    [
      'an nbf ahead of the tolerance',
      () => hs(HEADER, json({ ...CLAIMS, nbf: NOW + 6 })),
      "token claim 'nbf' is invalid",
    ],
    [
      'a megabyte of base64url',
      () => `${'a'.repeat(1 << 20)}.${PAYLOAD}.${signature}`,
      'token is malformed',
    ],
  ])('%s', async (_label, make, message) => {
    const token = make();
    expect(outcome(token)).toBe(message);
    expect(await joseOutcome(token)).toBe(message);
  });

  // jose decodes base64url with atob, which takes padding and ignores a signature's unused
  // low bits; a token minted that way is non-canonical, and refusing it keeps one spelling per
  // signature. b64 without crit means nothing (RFC 7797 §6), so it can only be a mistake.
  it.each<[label: string, token: () => string, message: string]>([
    [
      'a padded header',
      () => hs(padded(json({ alg: 'HS256', kid: 'k' })), PAYLOAD),
      'token is malformed',
    ],
    [
      'whitespace in the header',
      () => hs(`${HEADER.slice(0, 4)} ${HEADER.slice(4)}`, PAYLOAD),
      'token is malformed',
    ],
    [
      'a signature with its unused bits set',
      () => `${HEADER}.${PAYLOAD}.${flipUnusedBits(signature)}`,
      'token signature is invalid',
    ],
    [
      'b64 false without crit',
      () => hs(json({ alg: 'HS256', b64: false }), PAYLOAD),
      'token is malformed',
    ],
  ])('%s (stricter than jose)', (_label, make, message) => {
    expect(outcome(make())).toBe(message);
  });

  it('an HS token whose aud or iss is not the configured one', async () => {
    const options = { ...OPTIONS, audience: 'hub', issuer: 'app' };
    const strict = createHmacVerifier(options);
    for (const [claims, message] of [
      [{ ...CLAIMS, aud: 'hub' }, "token claim 'iss' is invalid"],
      [{ ...CLAIMS, aud: 'other', iss: 'app' }, "token claim 'aud' is invalid"],
      [{ ...CLAIMS, aud: ['x', 'hub'], iss: 'app' }, undefined],
    ] as const) {
      const token = hs(HEADER, json(claims));
      const expected = message ?? claims;
      expect(outcome(token, strict)).toEqual(expected);
      expect(await joseOutcome(token, options)).toEqual(expected);
    }
  });

  it('anything at all with unauthorized, never another error', () => {
    // A fixed-seed generator over the characters that matter to a JWS parser.
    let seed = 42;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const alphabet = 'eyJhbGciOiJIUzI1NiJ9.-_=+/ \n{}"\\\u0000é';
    const pieces = [HEADER, PAYLOAD, signature, json({ alg: 'HS256', crit: ['b64'] }), '.', '..'];
    for (let i = 0; i < 2000; i++) {
      let token = '';
      const length = next(120);
      for (let j = 0; j < length; j++)
        token += next(4) === 0 ? pieces[next(pieces.length)] : alphabet[next(alphabet.length)];
      expect(typeof outcome(token)).toBe('string');
    }
  });
});

const padded = (segment: string): string => segment + '='.repeat((4 - (segment.length % 4)) % 4);

/** The same signature bytes spelled with the unused low bits of the last character set. */
function flipUnusedBits(sig: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = alphabet.indexOf(sig.slice(-1));
  // 32 bytes take 43 characters: the last carries 4 bits of data and 2 unused ones.
  return sig.slice(0, -1) + alphabet[last | 0b11];
}

describe('createHmacVerifier remembers headers', () => {
  it('only ones that passed, and judges every one past what it keeps', () => {
    const v = createHmacVerifier(OPTIONS);
    // More distinct headers than it keeps (16), each verified twice.
    for (let i = 0; i < 40; i++) {
      const token = hs(json({ alg: 'HS256', kid: `k${i}` }), PAYLOAD);
      expect([outcome(token, v), outcome(token, v)]).toEqual([CLAIMS, CLAIMS]);
    }
    // A refused header stays refused on its second try, after a good one was remembered.
    const none = `${json({ alg: 'none' })}.${PAYLOAD}.`;
    const crit = hs(json({ alg: 'HS256', crit: ['exp'] }), PAYLOAD);
    for (let i = 0; i < 2; i++) {
      expect(outcome(none, v)).toBe('token algorithm not allowed');
      expect(outcome(crit, v)).toBe('token is invalid');
    }
    // The remembered hash is the header's own: an HS256 header over an HS384 signature fails.
    expect(outcome(hs(HEADER, PAYLOAD, 'HS384'), v)).toBe('token signature is invalid');
  });
});

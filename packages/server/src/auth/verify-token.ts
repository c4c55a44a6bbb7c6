/**
 * JWT verification (PROTOCOL.md §6) with `jose`: HS* with the secret's UTF-8 bytes, RS256,
 * ES256 and EdDSA with a PEM public key or a JWKS (URL or file). `alg: none` never verifies:
 * jose refuses unsecured tokens in `jwtVerify`, and we pin the algorithms besides.
 */
import { webcrypto as crypto } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors as joseErrors,
  importSPKI,
  jwtVerify,
  type JWTHeaderParameters,
  type JWTPayload,
  type JWTVerifyGetKey,
} from 'jose';
import { isValidOrg, isValidPattern, unauthorized, type JsonValue } from '@hubcast/protocol';
import type { Config } from '../config/schema.js';
import { describeJoseError } from './token-errors.js';

/** The claims a connection runs with, after verification. */
export interface VerifiedToken {
  user: string;
  org: string;
  /** Unix seconds. */
  expiresAt: number;
  subscribe: readonly string[];
  publish: readonly string[];
  info: JsonValue | undefined;
}

export type TokenVerifier = (token: string) => Promise<VerifiedToken>;

const HMAC_ALGS = ['HS256', 'HS384', 'HS512'];
const ASYMMETRIC_ALGS = ['RS256', 'ES256', 'EdDSA'];

/** Builds the verifier for a config; throws (at start) when a key cannot be loaded. */
export async function createTokenVerifier(config: Config): Promise<TokenVerifier> {
  const options = {
    ...(config.jwtAudience === undefined ? {} : { audience: config.jwtAudience }),
    ...(config.jwtIssuer === undefined ? {} : { issuer: config.jwtIssuer }),
    requiredClaims: ['sub', 'exp'],
  };
  let verify: (token: string) => Promise<JWTPayload>;
  if (config.jwtSecret !== undefined) {
    // One imported key per HS algorithm: importing the raw secret on every verify was the
    // largest cost of connect+auth in the profile.
    const secret = new TextEncoder().encode(config.jwtSecret);
    const keys = new Map<string, Promise<crypto.CryptoKey>>();
    const keyFor = (header: JWTHeaderParameters): Promise<crypto.CryptoKey> => {
      const alg = header.alg;
      let key = keys.get(alg);
      if (key === undefined) {
        const hash = `SHA-${alg.slice(2)}`;
        key = crypto.subtle.importKey('raw', secret, { name: 'HMAC', hash }, false, ['verify']);
        keys.set(alg, key);
      }
      return key;
    };
    verify = async (t) =>
      (await jwtVerify(t, keyFor, { ...options, algorithms: HMAC_ALGS })).payload;
  } else if (config.jwtPublicKey !== undefined) {
    const keys = await importPublicKeys(config.jwtPublicKey);
    verify = async (t) => {
      let last: unknown;
      for (const key of keys) {
        try {
          return (await jwtVerify(t, key, { ...options, algorithms: ASYMMETRIC_ALGS })).payload;
        } catch (err) {
          last = err;
          if (
            !(err instanceof joseErrors.JWSSignatureVerificationFailed) &&
            !(err instanceof joseErrors.JOSEAlgNotAllowed)
          )
            throw err;
        }
      }
      throw last;
    };
  } else if (config.jwks !== undefined) {
    const getKey = loadJwks(config.jwks);
    verify = async (t) =>
      (await jwtVerify(t, getKey, { ...options, algorithms: ASYMMETRIC_ALGS })).payload;
  } else {
    throw new Error('no token verification configured');
  }
  return async (token) => {
    let payload: JWTPayload;
    try {
      payload = await verify(token);
    } catch (err) {
      throw unauthorized(describeJoseError(err));
    }
    return claimsFrom(payload);
  };
}

/** A PEM file path or PEM text; a file may hold several keys (tried in turn) for rotation. */
type VerifyKey = Awaited<ReturnType<typeof importSPKI>>;

async function importPublicKeys(source: string): Promise<VerifyKey[]> {
  const pem = source.includes('-----BEGIN') ? source : readFileSync(source, 'utf8');
  const blocks = pem.match(/-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g);
  if (blocks === null) throw new Error('jwtPublicKey holds no PEM "PUBLIC KEY" block');
  const keys: VerifyKey[] = [];
  for (const block of blocks) {
    let imported: VerifyKey | undefined;
    for (const alg of ASYMMETRIC_ALGS) {
      try {
        imported = await importSPKI(block, alg, { extractable: false });
        break;
      } catch {
        // try the next algorithm family
      }
    }
    if (imported === undefined)
      throw new Error('jwtPublicKey: a key is not RSA, EC P-256 or Ed25519');
    keys.push(imported);
  }
  return keys;
}

function loadJwks(source: string): JWTVerifyGetKey {
  if (/^https?:\/\//.test(source)) return createRemoteJWKSet(new URL(source));
  const json: unknown = JSON.parse(readFileSync(source, 'utf8'));
  return createLocalJWKSet(json as Parameters<typeof createLocalJWKSet>[0]);
}

function claimsFrom(p: JWTPayload): VerifiedToken {
  const sub = p.sub;
  const org = p['org'];
  if (typeof sub !== 'string' || !/^[A-Za-z0-9_\-:@=+]{1,64}$/.test(sub))
    throw unauthorized("token claim 'sub' must be a user id of 1-64 characters [A-Za-z0-9_-:@=+]");
  if (!isValidOrg(org)) throw unauthorized("token claim 'org' is missing or not a valid org name");
  if (typeof p.exp !== 'number') throw unauthorized("token claim 'exp' is required");
  return {
    user: sub,
    org,
    expiresAt: p.exp,
    subscribe: patternList(p['subscribe'], 'subscribe', DEFAULT_SUBSCRIBE),
    publish: patternList(p['publish'], 'publish', DEFAULT_PUBLISH),
    info: p['info'] === undefined ? undefined : (p['info'] as JsonValue),
  };
}

// Shared by every connection whose token has no grants (PROTOCOL.md §6 defaults).
const DEFAULT_SUBSCRIBE: readonly string[] = Object.freeze(['>']);
const DEFAULT_PUBLISH: readonly string[] = Object.freeze([]);

function patternList(v: unknown, claim: string, fallback: readonly string[]): readonly string[] {
  if (v === undefined) return fallback;
  if (!Array.isArray(v) || !v.every((x) => isValidPattern(x)))
    throw unauthorized(`token claim '${claim}' must be an array of valid patterns`);
  return v;
}

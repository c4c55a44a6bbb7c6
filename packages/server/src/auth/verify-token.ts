/**
 * JWT verification (PROTOCOL.md §6): HS* with the secret's UTF-8 bytes through `node:crypto`
 * (verify-hmac.ts, synchronous: the reconnect-storm path), RS256, ES256 and EdDSA with `jose`
 * from a PEM public key or a JWKS (URL or file). `alg: none` never verifies: every path pins
 * its algorithms, and jose refuses unsecured tokens besides.
 */
import { createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors as joseErrors,
  importSPKI,
  jwtVerify,
  type JWTHeaderParameters,
  type JWTVerifyGetKey,
} from 'jose';
import {
  isHubcastError,
  isValidOrg,
  isValidPattern,
  unauthorized,
  type JsonValue,
} from '@hubcast/protocol';
import type { Config } from '../config/schema.js';
import { createHmacVerifier } from './verify-hmac.js';
import { TOKEN_MESSAGES, describeJoseError } from './token-errors.js';

/** The claims a connection runs with, after verification. */
export interface VerifiedToken {
  user: string;
  org: string;
  /**
   * The token's `exp` (Unix seconds) as it says, without the clock tolerance: the session
   * ticker adds `jwtClockTolerance` when it decides that a connection has expired.
   */
  expiresAt: number;
  subscribe: readonly string[];
  publish: readonly string[];
  info: JsonValue | undefined;
}

export type TokenVerifier = (token: string) => Promise<VerifiedToken>;

type Claims = Readonly<Record<string, unknown>>;
type ClaimsVerifier = (token: string) => Claims | Promise<Claims>;

// Far above any token we issue (a few hundred bytes; grants and info make it a few KiB), and
// refused before any decoding, so a huge string costs a length check.
const MAX_TOKEN_LENGTH = 8192;

const ASYMMETRIC_ALGS = ['RS256', 'ES256', 'EdDSA'];

/** Builds the verifier for a config; throws (at start) when a key cannot be loaded. */
export async function createTokenVerifier(config: Config): Promise<TokenVerifier> {
  const verify = await createClaimsVerifier(config);
  return async (token) => {
    if (token.length > MAX_TOKEN_LENGTH) throw unauthorized(TOKEN_MESSAGES.tooLong);
    let claims: Claims;
    try {
      claims = await verify(token);
    } catch (err) {
      throw isHubcastError(err) ? err : unauthorized(describeJoseError(err));
    }
    return claimsFrom(claims);
  };
}

async function createClaimsVerifier(config: Config): Promise<ClaimsVerifier> {
  if (config.jwtSecret !== undefined)
    return createHmacVerifier({
      secret: config.jwtSecret,
      audience: config.jwtAudience,
      issuer: config.jwtIssuer,
      clockToleranceSeconds: config.jwtClockTolerance,
    });
  const options = {
    ...(config.jwtAudience === undefined ? {} : { audience: config.jwtAudience }),
    ...(config.jwtIssuer === undefined ? {} : { issuer: config.jwtIssuer }),
    requiredClaims: ['sub', 'exp'],
    clockTolerance: config.jwtClockTolerance,
  };
  if (config.jwtPublicKey !== undefined) {
    const keysByAlg = await importPublicKeys(config.jwtPublicKey);
    return async (t) => {
      // The header's alg picks the keys of its type; several of one type are a rotation,
      // tried in turn while the signature is what fails.
      let last: unknown;
      for (let i = 0, count = 1; i < count; i++) {
        const keyFor = (header: JWTHeaderParameters): VerifyKey => {
          const ofType = keysByAlg.get(header.alg ?? '') ?? [];
          count = ofType.length;
          return ofType[i] ?? noMatchingKey();
        };
        try {
          return (await jwtVerify(t, keyFor, { ...options, algorithms: ASYMMETRIC_ALGS })).payload;
        } catch (err) {
          if (!(err instanceof joseErrors.JWSSignatureVerificationFailed)) throw err;
          last = err;
        }
      }
      throw last;
    };
  }
  if (config.jwks !== undefined) {
    const getKey = loadJwks(config.jwks);
    return async (t) =>
      (await jwtVerify(t, getKey, { ...options, algorithms: ASYMMETRIC_ALGS })).payload;
  }
  throw new Error('no token verification configured');
}

type VerifyKey = Awaited<ReturnType<typeof importSPKI>>;

const noMatchingKey = (): never => {
  throw new joseErrors.JWKSNoMatchingKey();
};

/**
 * A PEM file path or PEM text, whose keys (several for rotation, of any mix of types) are each
 * imported once for the one algorithm its type verifies.
 */
async function importPublicKeys(source: string): Promise<ReadonlyMap<string, VerifyKey[]>> {
  const pem = source.includes('-----BEGIN') ? source : readFileSync(source, 'utf8');
  const blocks = pem.match(/-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g);
  if (blocks === null) throw new Error('jwtPublicKey holds no PEM "PUBLIC KEY" block');
  const keysByAlg = new Map<string, VerifyKey[]>();
  for (const block of blocks) {
    const alg = algorithmOf(block);
    if (alg === undefined) throw new Error('jwtPublicKey: a key is not RSA, EC P-256 or Ed25519');
    const ofType = keysByAlg.get(alg) ?? [];
    ofType.push(await importSPKI(block, alg, { extractable: false }));
    keysByAlg.set(alg, ofType);
  }
  return keysByAlg;
}

/** The JWS algorithm (PROTOCOL.md §6) a public key's type verifies, if it is one we take. */
function algorithmOf(pemBlock: string): string | undefined {
  let key: KeyObject;
  try {
    key = createPublicKey(pemBlock);
  } catch {
    return undefined;
  }
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return 'RS256';
    case 'ec':
      return key.asymmetricKeyDetails?.namedCurve === 'prime256v1' ? 'ES256' : undefined;
    case 'ed25519':
      return 'EdDSA';
    default:
      return undefined;
  }
}

function loadJwks(source: string): JWTVerifyGetKey {
  // The scheme is case-insensitive, as in the config check that refuses http outside dev.
  if (/^https?:\/\//i.test(source)) return createRemoteJWKSet(new URL(source));
  const json: unknown = JSON.parse(readFileSync(source, 'utf8'));
  return createLocalJWKSet(json as Parameters<typeof createLocalJWKSet>[0]);
}

function claimsFrom(p: Claims): VerifiedToken {
  const sub = p['sub'];
  const org = p['org'];
  const exp = p['exp'];
  if (typeof sub !== 'string' || !/^[A-Za-z0-9_\-:@=+]{1,64}$/.test(sub))
    throw unauthorized("token claim 'sub' must be a user id of 1-64 characters [A-Za-z0-9_-:@=+]");
  if (!isValidOrg(org)) throw unauthorized("token claim 'org' is missing or not a valid org name");
  if (typeof exp !== 'number') throw unauthorized("token claim 'exp' is required");
  // 1e400 parses to Infinity: a connection that would never expire, `expires_at: null`.
  if (!Number.isFinite(exp)) throw unauthorized("token claim 'exp' is invalid");
  return {
    user: sub,
    org,
    expiresAt: exp,
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

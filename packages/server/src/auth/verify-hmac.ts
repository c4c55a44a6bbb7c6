/**
 * HS256/384/512 JWT verification (PROTOCOL.md §6) with `node:crypto`, synchronously. jose's
 * WebCrypto HMAC is async and cost about 57 µs of every connect in the M9 profile (issue 10,
 * reconnect storms); one `createHmac` over a short token is a few µs. The JWS checks mirror
 * jose's jwtVerify in order and wording (verify-hmac.test.ts holds the two side by side), and are
 * stricter where jose is lenient: one base64url spelling per segment (no padding, whitespace or
 * set unused bits) and no `b64` other than true.
 */
import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';
import { unauthorized } from '@hubcast/protocol';
import { checkRegisteredClaims, type ClaimRules } from './registered-claims.js';
import { TOKEN_MESSAGES } from './token-errors.js';

export interface HmacVerifierOptions extends ClaimRules {
  /** Its UTF-8 bytes are the HMAC key, for every HS algorithm. */
  secret: string;
  /** Epoch milliseconds; tests fix it. */
  nowMs?: () => number;
}

/** Returns the verified claims set, or throws `unauthorized`. */
export type HmacVerifier = (token: string) => Readonly<Record<string, unknown>>;

// A Map, not an object literal: an alg such as "constructor" must not find anything.
const HASH_BY_ALG: ReadonlyMap<string, string> = new Map([
  ['HS256', 'sha256'],
  ['HS384', 'sha384'],
  ['HS512', 'sha512'],
]);
const BASE64URL = /^[A-Za-z0-9_-]*$/;
/** Distinct token headers whose checks are remembered (a few algs and `kid`s in practice). */
const HEADERS_KEPT = 16;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

export function createHmacVerifier(options: HmacVerifierOptions): HmacVerifier {
  const key = createSecretKey(Buffer.from(options.secret, 'utf8'));
  const nowMs = options.nowMs ?? Date.now;
  const rules: ClaimRules = {
    audience: options.audience,
    issuer: options.issuer,
    clockToleranceSeconds: options.clockToleranceSeconds,
  };
  // A backend signs every token with the same header: its checks are a pure function of the
  // segment's text, so the hash of the last few headers seen is kept (a reconnect storm
  // verifies thousands of tokens that share one).
  const hashByHeader = new Map<string, string>();
  return (token) => {
    const first = token.indexOf('.');
    const second = token.indexOf('.', first + 1);
    if (first < 0 || second < 0 || token.includes('.', second + 1)) throw malformed();
    const headerSegment = token.slice(0, first);
    let hash = hashByHeader.get(headerSegment);
    if (hash === undefined) {
      hash = hashFor(decodeJsonObject(headerSegment));
      if (hashByHeader.size >= HEADERS_KEPT) hashByHeader.clear();
      hashByHeader.set(headerSegment, hash);
    }
    const payload = token.slice(first + 1, second);
    const signature = token.slice(second + 1);
    // Both are checked before hashing, so the HMAC input is ASCII, as jose requires.
    if (!isBase64url(payload) || !isBase64url(signature)) throw malformed();
    // Compared as text, which also refuses another spelling of the same signature bytes.
    const expected = createHmac(hash, key).update(token.slice(0, second)).digest('base64url');
    if (
      expected.length !== signature.length ||
      !timingSafeEqual(Buffer.from(expected), Buffer.from(signature))
    )
      throw unauthorized(TOKEN_MESSAGES.badSignature);
    const claims = decodeJsonObject(payload);
    checkRegisteredClaims(claims, rules, Math.floor(nowMs() / 1000));
    return claims;
  };
}

/** The hash of the header's alg, after the header checks jose makes (RFC 7515 §4.1.11 crit). */
function hashFor(header: Readonly<Record<string, unknown>>): string {
  const crit = header['crit'];
  if (crit !== undefined) {
    if (
      !Array.isArray(crit) ||
      crit.length === 0 ||
      crit.some((c) => typeof c !== 'string' || c === '')
    )
      throw malformed();
    // b64 (RFC 7797) is the one extension jose knows; any other is not understood.
    if (crit.some((c) => c !== 'b64')) throw unauthorized(TOKEN_MESSAGES.invalid);
    if (typeof header['b64'] !== 'boolean') throw malformed();
  }
  // An unencoded payload is no JWT; and b64 without crit would be read differently by others.
  if (header['b64'] !== undefined && header['b64'] !== true) throw malformed();
  const alg = header['alg'];
  if (typeof alg !== 'string' || alg === '') throw malformed();
  const hash = HASH_BY_ALG.get(alg);
  if (hash === undefined) throw unauthorized(TOKEN_MESSAGES.algorithmNotAllowed);
  return hash;
}

function decodeJsonObject(segment: string): Readonly<Record<string, unknown>> {
  if (!isBase64url(segment)) throw malformed();
  let value: unknown;
  try {
    value = JSON.parse(strictUtf8.decode(Buffer.from(segment, 'base64url')));
  } catch {
    throw malformed();
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformed();
  return value as Readonly<Record<string, unknown>>;
}

/** Unpadded base64url; a length of 4n+1 encodes no whole byte. */
function isBase64url(segment: string): boolean {
  return segment.length % 4 !== 1 && BASE64URL.test(segment);
}

const malformed = (): Error => unauthorized(TOKEN_MESSAGES.malformed);

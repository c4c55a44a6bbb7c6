/**
 * The registered-claim checks of PROTOCOL.md §6 for a verified claims set, made to refuse
 * exactly what `jose` jwtVerify refuses with `requiredClaims: ['sub', 'exp']` and the configured
 * audience and issuer (verify-hmac.test.ts holds the two side by side), in the same order, so
 * the HS fast path and the jose paths answer alike.
 */
import { unauthorized } from '@hubcast/protocol';
import { TOKEN_MESSAGES, invalidClaimMessage } from './token-errors.js';

export interface ClaimRules {
  audience?: string | undefined;
  issuer?: string | undefined;
  /** Applied to `exp` and `nbf` (PROTOCOL.md §9). */
  clockToleranceSeconds: number;
}

/** Throws `unauthorized` naming the first claim that fails; `nowSeconds` is whole seconds. */
export function checkRegisteredClaims(
  claims: Readonly<Record<string, unknown>>,
  rules: ClaimRules,
  nowSeconds: number,
): void {
  // Presence first, in jose's order; own keys only, so nothing inherited counts.
  const required = ['iss', 'aud', 'exp', 'sub'].filter(
    (c) =>
      (c !== 'iss' || rules.issuer !== undefined) && (c !== 'aud' || rules.audience !== undefined),
  );
  for (const claim of required)
    if (!Object.hasOwn(claims, claim)) throw unauthorized(invalidClaimMessage(claim));

  if (rules.issuer !== undefined && claims['iss'] !== rules.issuer)
    throw unauthorized(invalidClaimMessage('iss'));
  if (rules.audience !== undefined && !hasAudience(claims['aud'], rules.audience))
    throw unauthorized(invalidClaimMessage('aud'));

  numericDate(claims, 'iat');
  const tolerance = rules.clockToleranceSeconds;
  const nbf = numericDate(claims, 'nbf');
  if (nbf !== undefined && nbf > nowSeconds + tolerance)
    throw unauthorized(invalidClaimMessage('nbf'));
  const exp = numericDate(claims, 'exp');
  if (exp !== undefined && exp <= nowSeconds - tolerance)
    throw unauthorized(TOKEN_MESSAGES.expired);
}

function hasAudience(aud: unknown, audience: string): boolean {
  if (typeof aud === 'string') return aud === audience;
  return Array.isArray(aud) && aud.includes(audience);
}

function numericDate(claims: Readonly<Record<string, unknown>>, claim: string): number | undefined {
  const value = claims[claim];
  if (value === undefined) return undefined;
  if (typeof value !== 'number') throw unauthorized(invalidClaimMessage(claim));
  return value;
}

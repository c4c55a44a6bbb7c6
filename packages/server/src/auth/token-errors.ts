/**
 * The wording of refused tokens, in one place for every verifier (the `node:crypto` HS path and
 * the `jose` paths), so a client sees the same message whichever checked its token. No message
 * quotes the token, a claim value or a key (STYLE rule 9).
 */
import { errors as joseErrors } from 'jose';

export const TOKEN_MESSAGES = {
  expired: 'token expired',
  algorithmNotAllowed: 'token algorithm not allowed',
  badSignature: 'token signature is invalid',
  malformed: 'token is malformed',
  noMatchingKey: 'no key matches the token',
  invalid: 'token is invalid',
  tooLong: 'token is too long',
} as const;

/** Names the claim, never its value. */
export const invalidClaimMessage = (claim: string): string => `token claim '${claim}' is invalid`;

export function describeJoseError(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return TOKEN_MESSAGES.expired;
  if (err instanceof joseErrors.JWTClaimValidationFailed) return invalidClaimMessage(err.claim);
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return TOKEN_MESSAGES.algorithmNotAllowed;
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return TOKEN_MESSAGES.badSignature;
  if (err instanceof joseErrors.JWSInvalid || err instanceof joseErrors.JWTInvalid)
    return TOKEN_MESSAGES.malformed;
  if (err instanceof joseErrors.JWKSNoMatchingKey) return TOKEN_MESSAGES.noMatchingKey;
  return TOKEN_MESSAGES.invalid;
}

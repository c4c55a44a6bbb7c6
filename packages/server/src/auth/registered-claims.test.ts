import { describe, expect, it } from 'vitest';
import { checkRegisteredClaims, type ClaimRules } from './registered-claims.js';

const NOW = 1_900_000_000;
const TOLERANT: ClaimRules = { clockToleranceSeconds: 5 };
const STRICT: ClaimRules = { clockToleranceSeconds: 0 };
const AUD_ISS: ClaimRules = { clockToleranceSeconds: 5, audience: 'hub', issuer: 'app' };
const ok = { sub: 'alice', exp: NOW + 60 };

/** The message `checkRegisteredClaims` refuses with, or undefined when it accepts. */
function refusal(claims: Record<string, unknown>, rules: ClaimRules): string | undefined {
  try {
    checkRegisteredClaims(claims, rules, NOW);
    return undefined;
  } catch (err) {
    expect(err).toMatchObject({ code: 'unauthorized' });
    return (err as Error).message;
  }
}

describe('checkRegisteredClaims (the checks of jose jwtVerify, PROTOCOL.md §6)', () => {
  it.each<[label: string, claims: Record<string, unknown>, rules: ClaimRules]>([
    ['sub and exp', ok, TOLERANT],
    ['exp passed less than the tolerance ago', { ...ok, exp: NOW - 4 }, TOLERANT],
    ['nbf within the tolerance ahead', { ...ok, nbf: NOW + 5 }, TOLERANT],
    ['nbf now', { ...ok, nbf: NOW }, STRICT],
    ['a numeric iat, even ahead', { ...ok, iat: NOW + 3600 }, STRICT], // jose checks iat's age only with maxTokenAge
    ['aud and iss as configured', { ...ok, aud: 'hub', iss: 'app' }, AUD_ISS],
    ['aud as a list holding ours', { ...ok, aud: ['x', 'hub'], iss: 'app' }, AUD_ISS],
    ['aud and iss when none is configured', { ...ok, aud: 5, iss: [] }, TOLERANT],
  ])('accepts %s', (_label, claims, rules) => {
    expect(refusal(claims, rules)).toBeUndefined();
  });

  it.each<[label: string, claims: Record<string, unknown>, rules: ClaimRules, message: string]>([
    ['no sub', { exp: NOW + 60 }, TOLERANT, "token claim 'sub' is invalid"],
    ['no exp', { sub: 'alice' }, TOLERANT, "token claim 'exp' is invalid"],
    ['neither: exp is named first', {}, TOLERANT, "token claim 'exp' is invalid"], // jose's order
    ['a string exp', { ...ok, exp: String(NOW + 60) }, TOLERANT, "token claim 'exp' is invalid"],
    ['exp passed the tolerance ago', { ...ok, exp: NOW - 5 }, TOLERANT, 'token expired'],
    ['exp now without tolerance', { ...ok, exp: NOW }, STRICT, 'token expired'],
    [
      'nbf past the tolerance ahead',
      { ...ok, nbf: NOW + 6 },
      TOLERANT,
      "token claim 'nbf' is invalid",
    ],
    [
      'nbf a second ahead, no tolerance',
      { ...ok, nbf: NOW + 1 },
      STRICT,
      "token claim 'nbf' is invalid",
    ],
    ['a null nbf', { ...ok, nbf: null }, TOLERANT, "token claim 'nbf' is invalid"],
    ['a string iat', { ...ok, iat: 'yesterday' }, TOLERANT, "token claim 'iat' is invalid"],
    // nbf is checked before exp, as jose does
    [
      'nbf ahead and exp passed',
      { ...ok, nbf: NOW + 60, exp: NOW - 60 },
      STRICT,
      "token claim 'nbf' is invalid",
    ],
    ['no iss when configured', { ...ok, aud: 'hub' }, AUD_ISS, "token claim 'iss' is invalid"],
    ['no aud when configured', { ...ok, iss: 'app' }, AUD_ISS, "token claim 'aud' is invalid"],
    ['neither aud nor iss: iss first', ok, AUD_ISS, "token claim 'iss' is invalid"],
    ['another iss', { ...ok, aud: 'hub', iss: 'other' }, AUD_ISS, "token claim 'iss' is invalid"],
    ['another aud', { ...ok, aud: 'other', iss: 'app' }, AUD_ISS, "token claim 'aud' is invalid"],
    [
      'an aud list without ours',
      { ...ok, aud: ['x'], iss: 'app' },
      AUD_ISS,
      "token claim 'aud' is invalid",
    ],
    ['a numeric aud', { ...ok, aud: 5, iss: 'app' }, AUD_ISS, "token claim 'aud' is invalid"],
    [
      'an iss list holding ours',
      { ...ok, aud: 'hub', iss: ['app'] },
      AUD_ISS,
      "token claim 'iss' is invalid",
    ],
    // JSON.parse makes "__proto__" an own key: the sub inside it is not the token's sub
    [
      'sub only inside __proto__',
      JSON.parse(`{"__proto__":{"sub":"alice"},"exp":${NOW + 60}}`) as Record<string, unknown>,
      TOLERANT,
      "token claim 'sub' is invalid",
    ],
    [
      'an inherited sub',
      Object.assign(Object.create({ sub: 'alice' }) as object, { exp: NOW + 60 }),
      TOLERANT,
      "token claim 'sub' is invalid",
    ],
  ])('refuses %s', (_label, claims, rules, message) => {
    expect(refusal(claims, rules)).toBe(message);
  });
});

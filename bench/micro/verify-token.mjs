// HS256 verifications per second: hubcast's verifier against jose's jwtVerify with the key
// imported once (the verifier it replaced), over distinct tokens as in M9. A micro-benchmark of
// one function, not a figure of the bench: the M9 scenario measures connect + auth.
//   npx tsc -b && node bench/micro/verify-token.mjs [rounds] [msPerRound]
import { webcrypto } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';
import { createHmacVerifier } from '../../packages/server/dist/auth/verify-hmac.js';
import { createTokenVerifier } from '../../packages/server/dist/auth/verify-token.js';
import { loadConfig } from '../../packages/server/dist/config/load.js';

const rounds = Number(process.argv[2] ?? 7);
const msPerRound = Number(process.argv[3] ?? 500);
const SECRET = 'micro-bench-secret-0123456789-abcdef';
const bytes = new TextEncoder().encode(SECRET);
const exp = Math.floor(Date.now() / 1000) + 86_400;
const tokens = [];
for (let i = 0; i < 1000; i++)
  tokens.push(
    await new SignJWT({ org: 'bench' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(`u${i}`)
      .setExpirationTime(exp)
      .sign(bytes),
  );

const key = await webcrypto.subtle.importKey(
  'raw',
  bytes,
  { name: 'HMAC', hash: 'SHA-256' },
  false,
  ['verify'],
);
const joseOptions = { algorithms: ['HS256', 'HS384', 'HS512'], requiredClaims: ['sub', 'exp'] };
const hmac = createHmacVerifier({ secret: SECRET, clockToleranceSeconds: 5 });
const full = await createTokenVerifier(loadConfig({ file: { jwtSecret: SECRET }, env: {} }));

const candidates = {
  'jose jwtVerify (WebCrypto HMAC)': (t) => jwtVerify(t, key, joseOptions),
  'createHmacVerifier (node:crypto)': (t) => hmac(t),
  'createTokenVerifier, awaited': (t) => full(t),
};

async function opsPerSecond(verify) {
  const start = process.hrtime.bigint();
  const end = start + BigInt(msPerRound) * 1_000_000n;
  let ops = 0;
  while (process.hrtime.bigint() < end) {
    for (const t of tokens) await verify(t);
    ops += tokens.length;
  }
  return ops / (Number(process.hrtime.bigint() - start) / 1e9);
}

const results = Object.fromEntries(Object.keys(candidates).map((name) => [name, []]));
// Interleaved rounds, so a noisy neighbour slows every candidate alike.
for (let r = 0; r < rounds; r++)
  for (const [name, verify] of Object.entries(candidates))
    results[name].push(await opsPerSecond(verify));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(results['jose jwtVerify (WebCrypto HMAC)']);
for (const [name, xs] of Object.entries(results)) {
  const m = median(xs);
  console.log(
    `${name.padEnd(34)} ${Math.round(m).toLocaleString('en').padStart(9)} ops/s` +
      `  ${(1e6 / m).toFixed(1).padStart(5)} µs  ${(m / base).toFixed(1)}x` +
      `  (rounds: ${xs.map((x) => Math.round(x / 1000)).join(' ')} K)`,
  );
}

import { explainBadName, isValidOrg } from '@hubcast/protocol';
import { parseArgs, single, wantsHelp } from './args.js';
import { signToken } from './sign-token.js';

/** `hubcast token --user U --org O [--subscribe P ...] [--publish P ...] [--ttl S] [--secret S]` */
export async function runToken(argv: readonly string[]): Promise<number> {
  if (wantsHelp(argv)) {
    process.stdout.write(TOKEN_HELP);
    return 0;
  }
  const args = parseArgs(argv, new Set());
  const user = single(args, 'user');
  const org = single(args, 'org');
  const secret =
    single(args, 'secret') ?? single(args, 'jwt-secret') ?? process.env['HUBCAST_JWT_SECRET'];
  const ttl = Number(single(args, 'ttl') ?? 3600);
  const fail = (msg: string): number => {
    process.stderr.write(`hubcast token: ${msg}\n`);
    return 2;
  };
  if (user === undefined || !/^[A-Za-z0-9_\-:@=+]{1,64}$/.test(user))
    return fail('--user must be a user id of [A-Za-z0-9_-:@=+]');
  if (!isValidOrg(org)) return fail('--org must be an org name of [A-Za-z0-9_-:@=+]');
  if (secret === undefined || secret.length < 16)
    return fail(
      'give the HS256 secret with --secret or HUBCAST_JWT_SECRET (at least 16 characters)',
    );
  if (!Number.isFinite(ttl) || ttl <= 0) return fail('--ttl must be a positive number of seconds');
  const subscribe = args.flags.get('subscribe');
  const publish = args.flags.get('publish');
  for (const p of [...(subscribe ?? []), ...(publish ?? [])])
    if (explainBadName(p, true) !== undefined) return fail(`'${p}' is not a valid pattern`);
  const info = single(args, 'info');
  const token = await signToken(secret, {
    user,
    org,
    ttlSeconds: ttl,
    ...(subscribe === undefined ? {} : { subscribe }),
    ...(publish === undefined ? {} : { publish }),
    ...(info === undefined ? {} : { info: JSON.parse(info) as unknown }),
  });
  process.stdout.write(`${token}\n`);
  return 0;
}

const TOKEN_HELP = `usage: hubcast token --user U --org O [options]

Prints an HS256 JWT signed the way an app backend signs them, for tests and the playground.

  --user U          the user id (the sub claim)
  --org O           the tenant (the org claim)
  --subscribe P     a pattern it may subscribe to; repeat for more (default: >, everything)
  --publish P       a pattern it may publish to; repeat for more (default: none)
  --info JSON       the public profile shown in presence, e.g. '{"name":"Alice"}'
  --ttl S           seconds until it expires (3600)
  --secret S        the node's --jwt-secret (also --jwt-secret, HUBCAST_JWT_SECRET)
`;

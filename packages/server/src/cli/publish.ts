import { parseArgs, single, wantsHelp } from './args.js';

/** `hubcast publish --channel C --data JSON [--org O] [--key K] [--url U] [--api-key K]` */
export async function runPublish(argv: readonly string[]): Promise<number> {
  if (wantsHelp(argv)) {
    process.stdout.write(PUBLISH_HELP);
    return 0;
  }
  const args = parseArgs(argv, new Set());
  const url = single(args, 'url') ?? process.env['HUBCAST_URL'] ?? 'http://127.0.0.1:8080';
  const apiKey = single(args, 'api-key') ?? process.env['HUBCAST_API_KEY'];
  const channel = single(args, 'channel');
  const dataText = single(args, 'data') ?? 'null';
  const fail = (msg: string): number => {
    process.stderr.write(`hubcast publish: ${msg}\n`);
    return 2;
  };
  if (apiKey === undefined) return fail('give the API key with --api-key or HUBCAST_API_KEY');
  if (channel === undefined) return fail('--channel is required');
  let data: unknown;
  try {
    data = JSON.parse(dataText);
  } catch {
    return fail('--data must be JSON (quote strings: --data \'"hello"\')');
  }
  const org = single(args, 'org');
  const key = single(args, 'key');
  const body = {
    channel,
    data,
    ...(org === undefined ? {} : { org }),
    ...(key === undefined ? {} : { key }),
  };
  const res = await fetch(new URL('/api/publish', url), {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  (res.ok ? process.stdout : process.stderr).write(`${text}\n`);
  return res.ok ? 0 : 1;
}

const PUBLISH_HELP = `usage: hubcast publish --channel C --data JSON [options]

Publishes one event through the HTTP API (POST /api/publish) and prints the answer.

  --channel C       a concrete channel, e.g. chat.room1
  --data JSON       the event's data as JSON: '{"text":"hi"}', '"a string"', or null
  --org O           the tenant (needed with an admin key)
  --key K           idempotency key: a second publish with it stores nothing new
  --url U           the node (HUBCAST_URL; http://127.0.0.1:8080)
  --api-key K       the API key (HUBCAST_API_KEY)
`;

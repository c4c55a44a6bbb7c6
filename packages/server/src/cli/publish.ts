import { parseArgs, single, wantsHelp } from './args.js';
import { describeNetworkError, postJson } from './http-request.js';

/** `hubcast publish --channel C --data JSON [--org O] [--key K] [--url U] [--api-key K]` */
export async function runPublish(argv: readonly string[]): Promise<number> {
  if (wantsHelp(argv)) {
    process.stdout.write(PUBLISH_HELP);
    return 0;
  }
  const args = parseArgs(argv, new Set());
  const urlText = single(args, 'url') ?? process.env['HUBCAST_URL'] ?? 'http://127.0.0.1:8080';
  const apiKey = single(args, 'api-key') ?? process.env['HUBCAST_API_KEY'];
  const channel = single(args, 'channel');
  const dataText = single(args, 'data');
  const fail = (msg: string): number => {
    process.stderr.write(`hubcast publish: ${msg}\n`);
    return 2;
  };
  const url = URL.canParse(urlText) ? new URL(urlText) : undefined;
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    return fail('--url must be an http:// or https:// URL, e.g. http://127.0.0.1:8080');
  if (apiKey === undefined) return fail('give the API key with --api-key or HUBCAST_API_KEY');
  if (channel === undefined) return fail('--channel is required');
  // The HTTP API refuses an event without 'data'; say so before the round trip.
  if (dataText === undefined) return fail('--data is required (JSON; --data null for no data)');
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
  let res;
  try {
    res = await postJson(
      new URL('api/publish', url.href.endsWith('/') ? url : `${url.href}/`),
      { authorization: `Bearer ${apiKey}` },
      JSON.stringify(body),
    );
  } catch (err) {
    // protocol and host only: a URL's user:password part stays out of the message.
    process.stderr.write(
      `hubcast publish: cannot reach ${url.protocol}//${url.host}: ${describeNetworkError(err)}\n`,
    );
    return 1;
  }
  const ok = res.status >= 200 && res.status < 300;
  (ok ? process.stdout : process.stderr).write(`${res.text}\n`);
  return ok ? 0 : 1;
}

const PUBLISH_HELP = `usage: hubcast publish --channel C --data JSON [options]

Publishes one event through the HTTP API (POST /api/publish) and prints the answer.

  --channel C       a concrete channel, e.g. room.room1
  --data JSON       the event's data as JSON: '{"text":"hi"}', '"a string"', or null
  --org O           the tenant (needed with an admin key)
  --key K           idempotency key: a second publish with it stores nothing new
  --url U           the node (HUBCAST_URL; http://127.0.0.1:8080)
  --api-key K       the API key (HUBCAST_API_KEY)
`;

/** `hubcast <command>`: serve, token, publish, bench, vapid-keys. */
import { runBenchCommand } from './bench.js';
import { runPublish } from './publish.js';
import { runServe } from './serve.js';
import { runToken } from './token.js';
import { runVapidKeys } from './vapid-keys.js';

const USAGE = `usage: hubcast <command> [options]

commands:
  serve     run a node (--dev for a local playground)
  token     print a JWT: --user U --org O [--subscribe P ...] [--publish P ...] [--ttl S]
  publish   post an event: --channel C --data JSON [--org O] [--key K] [--url U] [--api-key K]
  bench     load test against a plain ws hub and Socket.IO (--smoke for a tiny CI run)
  vapid-keys  print a fresh VAPID key pair for Web Push (docs/push.md)

'hubcast <command> --help' (or -h) lists a command's options.
`;

export async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return runServe(rest);
    case 'token':
      return runToken(rest);
    case 'publish':
      return runPublish(rest);
    case 'bench':
      return runBenchCommand(rest);
    case 'vapid-keys':
      return runVapidKeys();
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`hubcast: unknown command '${command}'\n${USAGE}`);
      return 2;
  }
}

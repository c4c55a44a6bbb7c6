/**
 * `hubcast serve`: load and validate the config, start a node, drain on SIGTERM/SIGINT.
 * `--dev` binds to 127.0.0.1, takes the secret and API key that none of flags, environment and
 * file give from the data dir (made on the first run), prints them with a ready token and
 * serves the web page.
 */
import cluster from 'node:cluster';
import { join } from 'node:path';
import { pino } from 'pino';
import { BOOLEAN_KEYS, configSchema } from '../config/schema.js';
import { ConfigError, loadConfig } from '../config/load.js';
import { DataDirError } from '../data-dir.js';
import { createNode } from '../node.js';
import { isLoopbackAddress } from '../transport/dev-host.js';
import { createDevPageHandler } from '../web/dev-page.js';
import { createExamplesHandler } from '../web/examples-page.js';
import { parseArgs, single, wantsHelp } from './args.js';
import { loadDevSecrets, type LoadedDevSecrets } from './dev-secrets.js';
import { signToken } from './sign-token.js';
import { runPrimary, workerMetrics } from './workers.js';

const DEFAULT_HOST = configSchema.shape.host.parse(undefined);
const BOOL_FLAGS = new Set(
  [...BOOLEAN_KEYS].map((k) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)),
);

export async function runServe(argv: readonly string[]): Promise<number> {
  if (wantsHelp(argv)) {
    process.stdout.write(SERVE_HELP);
    return 0;
  }
  const args = parseArgs(argv, BOOL_FLAGS);
  const configPath = single(args, 'config') ?? process.env['HUBCAST_CONFIG'];
  const flags: Record<string, string | boolean> = {};
  for (const [name, values] of args.flags) {
    if (name === 'config') continue;
    if (values.length > 1) return fail(`--${name} given more than once`);
    flags[name] = values[0] as string;
  }
  for (const name of args.bare) flags[name] = true;
  if (args.positionals.length > 0) return fail(`unexpected argument '${args.positionals[0]}'`);

  const env = process.env;
  const sources = { flags, env, ...(configPath === undefined ? {} : { filePath: configPath }) };
  let config;
  let devSecrets: LoadedDevSecrets | undefined;
  try {
    config = loadConfig(sources);
    if (config.dev) {
      if (flags['host'] === undefined && !env['HUBCAST_HOST'] && config.host === DEFAULT_HOST)
        flags['host'] = '127.0.0.1';
      // What no flag, variable or file gave comes from the data dir, the same on every run.
      const needsSecret = [config.jwtSecret, config.jwtPublicKey, config.jwks].every(
        (v) => v === undefined,
      );
      if (needsSecret || config.apiKey === undefined) {
        devSecrets = loadDevSecrets(config.dataDir);
        if (needsSecret) flags['jwt-secret'] = devSecrets.secrets.jwtSecret;
        if (config.apiKey === undefined) flags['api-key'] = devSecrets.secrets.apiKey;
      }
      config = loadConfig(sources);
    }
  } catch (err) {
    if (err instanceof ConfigError || err instanceof DataDirError) return fail(err.message);
    throw err;
  }
  if (config.dev && !isLoopbackAddress(config.host))
    return fail(
      `dev mode is loopback only: host ${config.host} (--host, HUBCAST_HOST) is not a loopback ` +
        'address; use 127.0.0.1, ::1 or localhost, or drop --dev and give a secret and an API key',
    );

  if (config.workers > 1 && cluster.isPrimary)
    return runPrimary(config.workers, pino({ level: config.logLevel, base: undefined }));

  let devInfo: { token: string; org: string; user: string; apiKey: string } | undefined;
  if (config.dev && config.jwtSecret !== undefined) {
    const token = await signToken(config.jwtSecret, {
      user: 'dev-user',
      org: 'dev',
      publish: ['>'],
      info: { name: 'Dev User' },
      ttlSeconds: 24 * 3600,
    });
    devInfo = { token, org: 'dev', user: 'dev-user', apiKey: config.apiKey ?? '' };
  }
  let node;
  try {
    node = createNode(
      config,
      devInfo === undefined || config.jwtSecret === undefined
        ? {}
        : { staticHandler: devHandlers(devInfo, config.jwtSecret) },
    );
    if (cluster.isWorker) node.metrics.textSource = workerMetrics(node.metrics.registry);
    await node.start();
  } catch (err) {
    return fail(`cannot start: ${(err as Error).message}`);
  }
  const { port } = node.address();
  const scheme = config.tlsCert === undefined ? 'http' : 'https';
  const shownHost = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  // An IPv6 address takes brackets in a URL: http://[::1]:8080.
  const base = `${scheme}://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`;
  node.logger.info(
    {
      host: config.host,
      port,
      log:
        config.engine === 'redis'
          ? 'redis'
          : config.log === 'sqlite'
            ? join(config.dataDir, 'events.db')
            : config.log,
      ...(config.queue ? { queue: config.queueName } : {}),
    },
    'hubcast listening',
  );
  if (devInfo !== undefined) {
    process.stdout.write(
      [
        '',
        `  hubcast dev node on ${base}  (web page: ${base}/, WebRTC call: ${base}/examples/webrtc)`,
        devSecrets === undefined
          ? ''
          : devSecrets.created
            ? `  made a JWT secret and an API key, kept for the next runs in ${devSecrets.path}`
            : `  JWT secret and API key from ${devSecrets.path} (delete it for new ones)`,
        `  JWT secret: ${config.jwtSecret}`,
        `  API key:    ${config.apiKey ?? '(none)'}`,
        `  dev token (user dev-user, org dev, 24 h):`,
        `    ${devInfo.token}`,
        `  publish:  curl -H 'Authorization: Bearer ${config.apiKey ?? ''}' -d '{"org":"dev","channel":"demo.hello","data":{"hi":1}}' ${base}/api/publish`,
        '',
      ]
        .filter((l) => l !== '')
        .join('\n') + '\n',
    );
  }

  return new Promise<number>((resolve) => {
    let signalled = false;
    const shutdown = (signal: string): void => {
      if (signalled) {
        resolve(1);
        return;
      }
      signalled = true;
      node.logger.info({ signal }, 'draining');
      // The drain is bounded by --shutdown-timeout; this is the backstop if a part hangs.
      setTimeout(
        () => {
          node.logger.warn('shutdown timeout passed; exiting');
          resolve(0);
        },
        config.shutdownTimeout * 1000 + 1000,
      ).unref();
      node.stop().then(
        () => resolve(0),
        (err: unknown) => {
          node.logger.error({ err }, 'stop failed');
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    if (cluster.isWorker) {
      // Ctrl-C reaches the whole process group; the primary answers it with a SIGTERM to each
      // worker, which must not count as a second signal (that one skips the drain).
      process.on('SIGINT', () => undefined);
      // The primary is gone: nothing supervises this worker any more.
      process.once('disconnect', () => shutdown('disconnect'));
    } else process.once('SIGINT', () => shutdown('SIGINT'));
    // SIGHUP reloads the TLS files (a renewed certificate); it never stops the node.
    process.on('SIGHUP', () => {
      if (config.tlsCert === undefined) {
        node.logger.info('SIGHUP: no TLS files to reload');
        return;
      }
      try {
        node.reloadTls();
        node.logger.info({ cert: config.tlsCert }, 'tls files reloaded');
      } catch (err) {
        node.logger.error({ err }, 'tls files not reloaded; keeping the ones in use');
      }
    });
  });
}

/** The dev page, then the examples (`/examples/webrtc`, docs/ephemeral.md §10). */
function devHandlers(
  devInfo: Parameters<typeof createDevPageHandler>[0],
  jwtSecret: string,
): NonNullable<Parameters<typeof createNode>[1]>['staticHandler'] {
  const page = createDevPageHandler(devInfo);
  const examples = createExamplesHandler({ jwtSecret, org: devInfo.org });
  return (req, res) => page(req, res) || examples(req, res);
}

function fail(message: string): number {
  process.stderr.write(`hubcast serve: ${message}\n`);
  return 2;
}

const SERVE_HELP = `usage: hubcast serve [--dev] [options]

Every option is also an environment variable (HUBCAST_PING_INTERVAL) and a config-file key
(pingInterval) in a JSON file given with --config. Durations in seconds, sizes in bytes.
Precedence: flags, then environment, then the file, then the defaults.

  --config FILE             a JSON config file (also HUBCAST_CONFIG); tenant-bound API keys
                            live only there: "apiKeys": [{"key": "...", "org": "acme"}]
  --host H                  listen address (0.0.0.0; 127.0.0.1 with --dev)
  --port N                  listen port (8080)
  --data-dir DIR            data directory: the SQLite log and store (./data)
  --log sqlite|postgres|memory  event log: sqlite and postgres survive restarts, memory
                            forgets (sqlite); postgres: one writing node per database
  --sqlite-sync normal|full normal survives a process crash, full also a power cut (normal)
  --store sqlite|postgres|memory  the services' data: <data-dir>/store.db, PostgreSQL (sqlite)
  --postgres-url URL        postgres://user:pass@host:5432/db, for --store/--log postgres
  --engine embedded|redis   embedded: one node (the --log above); redis: one of N nodes
                            sharing log, broker and presence in Redis (embedded)
  --redis-url URL           redis://[:pass@]host:6379[/db], for --engine redis and --queue
  --redis-prefix P          prefix of hubcast's Redis keys and channels (hc)
  --node-ttl S              a crashed node's presence members leave after this (10)
  --workers N               node processes sharing --port, one per core; needs --engine
                            redis; /metrics sums them all (1)
  --queue                   also take publish and notify jobs from a BullMQ queue in
                            --redis-url (README: "Publishing through a queue"); with
                            either engine. Whoever can write that Redis acts as admin
  --queue-name N            the queue producers add to; jobs that can never succeed go
                            to N-failed with their reason (hubcast)
  --queue-concurrency N     jobs one node works on at once (16)
  --jwt-secret S            HS256/384/512 secret
  --jwt-public-key PEM|FILE RS256/ES256/EdDSA public keys; a file may hold several, of any
                            mix of types: a token is checked against the keys of its alg
  --jwks URL|FILE           JSON Web Key Set; a URL must be https:// (http:// with --dev)
  --jwt-audience A          required aud claim
  --jwt-issuer I            required iss claim
  --jwt-clock-tolerance S   skew allowed on exp and nbf; a connection lasts until exp plus it (5)
  --api-key K               admin API key (tenant-bound keys: "apiKeys" in the config file)
  --allowed-origins A,B     WebSocket origins allowed (default: same origin only; * for any)
  --ephemeral-channels P,Q  channel patterns that take ephemeral publishes: live only,
                            never logged (docs/ephemeral.md); none: refused everywhere
  --coalesce-channels P,Q   ephemeral events on these reach each connection latest-only
                            per flush (e.g. cursors.>, telemetry.>)
  --tls-cert FILE           PEM certificate chain: serve https:// and wss:// on --port;
                            reloaded with --tls-key on SIGHUP, open connections kept
  --tls-key FILE            PEM private key of --tls-cert
  --ping-interval S         server ping period (25)
  --pong-timeout S          pong deadline (10)
  --auth-timeout S          time to send connect (5)
  --max-message-bytes N     largest inbound frame (65536)
  --max-subscriptions N     per connection (256)
  --max-connections-per-user N  (32)
  --rate-limit N            commands per second per connection (100)
  --rate-burst N            bucket size (200)
  --chat-send-rate N        chat writes per second per user (20)
  --chat-send-burst N       chat writes a user may make at once (40)
  --max-data-depth N        deepest nesting of an event's data, {} counting 1 (64)
  --history-size N          events kept per tenant (10000)
  --history-ttl S           event age kept (86400)
  --shutdown-timeout S      graceful drain limit (30)
  --presence-leave-delay S  presence grace period: a user's leave waits this long after
                            their last connection, so a reconnect shows nothing; 0: at once (5)
  --presence-members-max N  members a presence reply lists at most; count has all (100)
  --presence-info-max-bytes N  largest info of presence.setInfo, as JSON (1024)
  --max-queue-bytes N       send-queue bound before close 4001 (1048576)
  --max-queue-messages N    send-queue bound before close 4001 (10000)
  --max-connections N       WebSocket connections per node, 503 past it (the open-files
                            limit less 256)
  --max-unauthenticated-per-ip N  sockets per client address that have not sent a valid
                            connect yet, 429 past it; for nodes clients reach directly
                            (behind a proxy all share one address); 0: no limit (0)
  --http-headers-timeout S  time to send a request's headers, upgrades included (10)
  --http-request-timeout S  time to send a whole request (30)
  --http-keep-alive-timeout S  idle keep-alive connections close after (5)
  --tenant-max-connections N  per tenant; 0: no limit (0)
  --tenant-publish-rate N   events per second per tenant, HTTP and clients together;
                            past it limit_exceeded / 429 with retry_after; 0: no limit (0)
  --tenant-publish-burst N  events a tenant may publish at once (twice the rate)
                            Per-tenant overrides: "tenantQuotas" in the config file,
                            [{"org": "acme", "maxConnections": 5000, "publishRate": 200}]
  --vapid-public-key K      Web Push VAPID public key (off without the three; see
                            'hubcast vapid-keys' and docs/push.md)
  --vapid-private-key K     Web Push VAPID private key
  --vapid-subject S         mailto: or https:// contact for push services
  --push-allow-insecure     tests only: push endpoints may be http://localhost and
                            internal addresses
  --webhook-timeout S       a webhook request failing after this is retried (5); the
                            endpoints: "webhooks" in the config file (docs/webhooks.md),
                            [{"org": "acme", "url": "https://...", "secret": "..."}]
  --webhook-max-attempts N  attempts before a webhook is a dead letter (8)
  --webhook-retry-base S    backoff with full jitter: up to base * 2^(n-1) (1)
  --webhook-retry-cap S     ... and never more than this (600)
  --log-level L             fatal|error|warn|info|debug|trace|silent (info)
  --dev                     local playground: 127.0.0.1, a secret and key kept in
                            <data-dir>/dev-secrets.json, a ready token, the web page
`;

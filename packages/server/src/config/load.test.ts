import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, camelToEnv, camelToKebab, loadConfig, type ConfigSources } from './load.js';
import type { ConfigKey } from './schema.js';

const SECRET = 'unit-test-secret-0123456789';
/** Enough to pass the verifier check, so each test varies one thing. */
const VERIFIED = { jwtSecret: SECRET };

/** The ConfigError that loading `sources` throws. */
function configError(sources: ConfigSources): ConfigError {
  try {
    loadConfig(sources);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected loadConfig to throw');
}

const dir = mkdtempSync(join(tmpdir(), 'hubcast-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let fileCounter = 0;
function writeConfigFile(text: string): string {
  const path = join(dir, `config-${++fileCounter}.json`);
  writeFileSync(path, text);
  return path;
}

describe('loadConfig defaults (PROTOCOL.md §9)', () => {
  const config = loadConfig({ file: VERIFIED });
  it.each<[key: ConfigKey, expected: unknown]>([
    ['authTimeout', 5],
    ['pingInterval', 25],
    ['pongTimeout', 10],
    ['historyTtl', 86400],
    ['shutdownTimeout', 30],
    ['maxMessageBytes', 65536],
    ['historySize', 10000],
    ['maxSubscriptions', 256],
    ['maxConnectionsPerUser', 32],
    ['rateLimit', 100],
    ['rateBurst', 200],
    ['jwtClockTolerance', 5],
    ['maxDataDepth', 64],
    ['dev', false],
    ['allowedOrigins', []],
    ['apiKeys', []],
  ])('%s = %j', (key, expected) => {
    expect(config[key]).toEqual(expected);
  });
});

describe('loadConfig sources', () => {
  it.each<[label: string, sources: ConfigSources, expected: number]>([
    [
      'flag over env over file',
      { flags: { port: '3000' }, env: { HUBCAST_PORT: '2000' }, file: { port: 1000 } },
      3000,
    ],
    ['env over file', { env: { HUBCAST_PORT: '2000' }, file: { port: 1000 } }, 2000],
    ['file over default', { file: { port: 1000 } }, 1000],
    ['default', {}, 8080],
    [
      'an empty env value counts as unset',
      { env: { HUBCAST_PORT: '' }, file: { port: 1000 } },
      1000,
    ],
    ['only HUBCAST_ names are read', { env: { PORT: '2000' } }, 8080],
  ])('port: %s', (_label, sources, expected) => {
    const config = loadConfig({ ...sources, file: { ...VERIFIED, ...sources.file } });
    expect(config.port).toBe(expected);
  });

  it('names env variables HUBCAST_ plus the key in upper snake case', () => {
    expect(camelToEnv('pingInterval')).toBe('HUBCAST_PING_INTERVAL');
    expect(camelToEnv('maxConnectionsPerUser')).toBe('HUBCAST_MAX_CONNECTIONS_PER_USER');
    expect(camelToKebab('pingInterval')).toBe('ping-interval');
    expect(
      loadConfig({ env: { HUBCAST_PING_INTERVAL: '12.5', HUBCAST_JWT_SECRET: SECRET } })
        .pingInterval,
    ).toBe(12.5);
  });

  it.each<[label: string, sources: ConfigSources, expected: number]>([
    ['a flag with decimals', { flags: { 'jwt-clock-tolerance': '2.5' } }, 2.5],
    ['env zero (no tolerance)', { env: { HUBCAST_JWT_CLOCK_TOLERANCE: '0' } }, 0],
    ['the file, at its upper bound', { file: { jwtClockTolerance: 300 } }, 300],
  ])('reads the JWT clock tolerance from %s', (_label, sources, expected) => {
    const config = loadConfig({ ...sources, file: { ...VERIFIED, ...sources.file } });
    expect(config.jwtClockTolerance).toBe(expected);
  });

  it('reads kebab-case flags as their camelCase key', () => {
    const config = loadConfig({
      flags: {
        'ping-interval': '7',
        'max-connections-per-user': '4',
        'max-data-depth': '8',
        'jwt-secret': SECRET,
      },
    });
    expect(config.pingInterval).toBe(7);
    expect(config.maxConnectionsPerUser).toBe(4);
    expect(config.maxDataDepth).toBe(8);
    expect(config.jwtSecret).toBe(SECRET);
  });

  it.each<[label: string, sources: ConfigSources, expected: string[]]>([
    [
      'a flag',
      { flags: { 'allowed-origins': 'https://a.example,https://b.example' } },
      ['https://a.example', 'https://b.example'],
    ],
    [
      'env with spaces and a trailing comma',
      { env: { HUBCAST_ALLOWED_ORIGINS: ' https://a.example , https://b.example,' } },
      ['https://a.example', 'https://b.example'],
    ],
    ['a file array', { file: { allowedOrigins: ['https://a.example'] } }, ['https://a.example']],
  ])('splits lists on commas: %s', (_label, sources, expected) => {
    expect(
      loadConfig({ ...sources, file: { ...VERIFIED, ...sources.file } }).allowedOrigins,
    ).toEqual(expected);
  });

  it.each<[label: string, sources: ConfigSources, expected: boolean]>([
    ['a bare flag', { flags: { dev: true } }, true],
    ['a flag value', { flags: { dev: 'false' } }, false],
    ['env 1', { env: { HUBCAST_DEV: '1' } }, true],
    ['env true', { env: { HUBCAST_DEV: 'true' } }, true],
    ['env 0', { env: { HUBCAST_DEV: '0' } }, false],
    ['a file boolean', { file: { dev: true } }, true],
  ])('reads booleans: %s', (_label, sources, expected) => {
    expect(loadConfig({ ...sources, file: { ...VERIFIED, ...sources.file } }).dev).toBe(expected);
  });

  it('returns a frozen config', () => {
    const config = loadConfig({ file: VERIFIED });
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
    expect(config.port).toBe(8080);
  });
});

describe('loadConfig errors', () => {
  it.each<[label: string, sources: ConfigSources, named: string]>([
    ['a flag', { flags: { port: 'eighty' } }, '--port'],
    ['an env variable', { env: { HUBCAST_PORT: '80x' } }, 'HUBCAST_PORT'],
    ['a blank flag', { flags: { 'ping-interval': ' ' } }, '--ping-interval'], // blank is not zero
    [
      'an infinite env value',
      { env: { HUBCAST_HISTORY_SIZE: 'Infinity' } },
      'HUBCAST_HISTORY_SIZE',
    ],
  ])('names the source of a number that is not one: %s', (_label, sources, named) => {
    const err = configError({ ...sources, file: VERIFIED });
    expect(err.message).toContain(named);
    expect(err.message).toContain('must be a number');
  });

  it.each<[flags: Record<string, string | boolean>, named: string]>([
    [{ 'no-such-option': '1' }, '--no-such-option'],
    [{ 'api-keys': '[]' }, '--api-keys'], // file-only keys have no flag
    [{ dev: 'maybe' }, '--dev'],
    [{ host: true }, '--host'], // a bare flag for a key that needs a value
  ])('rejects the flags %j naming %s', (flags, named) => {
    expect(configError({ flags, file: VERIFIED }).message).toContain(named);
  });

  it('rejects an unknown config file key, naming it', () => {
    const err = configError({ file: { ...VERIFIED, pingIntervall: 5 } });
    expect(err.message).toContain("'pingIntervall'");
  });

  it.each<[label: string, sources: ConfigSources, named: string]>([
    ['negative port flag', { flags: { port: '-1' } }, '--port'],
    ['port too large in env', { env: { HUBCAST_PORT: '70000' } }, 'HUBCAST_PORT'],
    ['negative port in the file', { file: { port: -1 } }, "'port'"],
    ['zero ping interval', { flags: { 'ping-interval': '0' } }, '--ping-interval'], // durations must be positive
    ['fractional history size', { file: { historySize: 1.5 } }, "'historySize'"],
    ['unknown log level', { env: { HUBCAST_LOG_LEVEL: 'loud' } }, 'HUBCAST_LOG_LEVEL'],
    ['wrong type in the file', { file: { maxSubscriptions: '10' } }, "'maxSubscriptions'"], // file values are not coerced
    [
      'a negative clock tolerance',
      { flags: { 'jwt-clock-tolerance': '-1' } },
      '--jwt-clock-tolerance',
    ],
    [
      'a clock tolerance over 5 minutes',
      { env: { HUBCAST_JWT_CLOCK_TOLERANCE: '301' } },
      'HUBCAST_JWT_CLOCK_TOLERANCE',
    ],
  ])('names the key of a bad value: %s', (_label, sources, named) => {
    expect(configError({ ...sources, file: { ...VERIFIED, ...sources.file } }).message).toContain(
      named,
    );
  });

  it.each<[label: string, sources: ConfigSources, named: string]>([
    ['zero', { flags: { 'max-data-depth': '0' } }, '--max-data-depth'], // `{}` must pass
    // JSON.stringify recurses: a few thousand levels overflow the stack
    [
      'too deep to serialize',
      { env: { HUBCAST_MAX_DATA_DEPTH: '5000' } },
      'environment HUBCAST_MAX_DATA_DEPTH',
    ],
    ['not an integer', { file: { maxDataDepth: 2.5 } }, "config file key 'maxDataDepth'"],
  ])('bounds the data depth: %s', (_label, sources, named) => {
    const err = configError({ ...sources, file: { ...VERIFIED, ...sources.file } });
    expect(err.message).toMatch(new RegExp(`^invalid ${named}: `));
  });

  describe('never echoes a secret', () => {
    const SHORT = 'tooShort-XYZ'; // 12 characters: below the 16 required
    it.each<[label: string, sources: ConfigSources, named: string, secret: string]>([
      ['a short secret flag', { flags: { 'jwt-secret': SHORT } }, '--jwt-secret', SHORT],
      [
        'a short secret in env',
        { env: { HUBCAST_JWT_SECRET: SHORT } },
        'HUBCAST_JWT_SECRET',
        SHORT,
      ],
      ['a short secret in the file', { file: { jwtSecret: SHORT } }, "'jwtSecret'", SHORT],
      [
        'a short api key',
        { flags: { 'api-key': 'k3y-XY' }, file: VERIFIED },
        '--api-key',
        'k3y-XY',
      ],
      [
        'a short tenant api key',
        { file: { ...VERIFIED, apiKeys: [{ key: 'k3y-XY', org: 'acme' }] } },
        'apiKeys',
        'k3y-XY',
      ],
      [
        'a secret of the wrong type',
        { file: { jwtSecret: 1234567890123456789 } },
        "'jwtSecret'",
        '1234567890123456',
      ],
    ])('%s', (_label, sources, named, secret) => {
      const err = configError(sources);
      expect(err.message).toContain(named);
      expect(err.message).not.toContain(secret);
    });

    it('in a config file that is not valid JSON', () => {
      // A value left unquoted: the JSON parser's own message would quote the text around it.
      const path = writeConfigFile(`{"jwtSecret": ${SECRET}}`);
      const err = configError({ filePath: path });
      expect(err.message).toContain('not valid JSON');
      expect(err.message).toContain(path);
      expect(err.message).not.toContain(SECRET.slice(0, 6));
    });
  });

  it.each<[label: string, file: Record<string, unknown>]>([
    ['secret and public key', { jwtSecret: SECRET, jwtPublicKey: '-----BEGIN PUBLIC KEY-----' }],
    ['secret and jwks', { jwtSecret: SECRET, jwks: 'https://id.example/.well-known/jwks.json' }],
    ['public key and jwks', { jwtPublicKey: 'pem', jwks: 'https://id.example/jwks' }],
  ])('accepts only one token verifier: %s', (_label, file) => {
    const err = configError({ file });
    expect(err.message).toContain('only one of');
    expect(err.message).not.toContain(SECRET);
  });

  it('needs a token verifier unless dev is on', () => {
    expect(configError({}).message).toContain('missing token verification');
    expect(loadConfig({ flags: { dev: true } }).jwtSecret).toBeUndefined();
    expect(loadConfig({ file: { jwks: 'https://id.example/jwks' } }).jwks).toBe(
      'https://id.example/jwks',
    );
  });
});

describe('a JWKS URL must use https outside dev', () => {
  const HTTP = 'http://id.example/.well-known/jwks.json';
  it.each<[label: string, sources: ConfigSources, named: string]>([
    ['in the file', { file: { jwks: HTTP } }, "config file key 'jwks'"],
    ['as a flag', { flags: { jwks: HTTP } }, '--jwks'],
    [
      'in env, scheme in capitals',
      { env: { HUBCAST_JWKS: HTTP.replace('http', 'HTTP') } },
      'HUBCAST_JWKS',
    ],
    ['with dev switched off', { file: { jwks: HTTP, dev: false } }, "config file key 'jwks'"],
  ])('refuses http %s, naming the key and https', (_label, sources, named) => {
    const err = configError(sources);
    expect(err.message).toContain(named);
    expect(err.message).toContain('jwks');
    expect(err.message).toContain('https://');
    // a URL may carry credentials: never quoted
    expect(err.message).not.toContain('id.example');
  });

  it.each<[label: string, sources: ConfigSources]>([
    ['http with dev', { flags: { dev: true }, file: { jwks: HTTP } }],
    ['https', { file: { jwks: 'https://id.example/.well-known/jwks.json' } }],
    ['a file path', { file: { jwks: './jwks.json' } }],
  ])('accepts %s', (_label, sources) => {
    expect(loadConfig(sources).jwks).toBe(sources.file?.jwks);
  });
});

describe('loadConfig refuses keys and origins that cannot work', () => {
  const ADMIN = 'admin-key-0123456789';
  const TENANT = 'tenant-key-0123456789';

  it.each<[label: string, apiKeys: { key: string; org: string }[], says: RegExp]>([
    [
      'one key for two orgs',
      [
        { key: TENANT, org: 'acme' },
        { key: TENANT, org: 'globex' },
      ],
      /apiKeys\[0\] and apiKeys\[1\] have the same key/,
    ],
    [
      'one key twice for one org',
      [
        { key: 'other-key-0123456789', org: 'acme' },
        { key: TENANT, org: 'acme' },
        { key: TENANT, org: 'acme' },
      ],
      /apiKeys\[1\] and apiKeys\[2\] have the same key/,
    ],
    ['a tenant key that is the admin key', [{ key: ADMIN, org: 'acme' }], /apiKeys\[0\].*apiKey/],
  ])('%s, naming the entries but not the key', (_label, apiKeys, says) => {
    const err = configError({ file: { ...VERIFIED, apiKey: ADMIN, apiKeys } });
    expect(err.message).toMatch(says);
    expect(err.message).not.toContain(TENANT);
    expect(err.message).not.toContain(ADMIN);
  });

  it.each<[label: string, sources: ConfigSources, ephemeral: string[], coalesce: string[]]>([
    ['no source: none (ephemeral publishes refused)', {}, [], []],
    [
      'flags',
      { flags: { 'ephemeral-channels': 'cursors.>,typing.*', 'coalesce-channels': 'cursors.>' } },
      ['cursors.>', 'typing.*'],
      ['cursors.>'],
    ],
    [
      'env',
      { env: { HUBCAST_EPHEMERAL_CHANNELS: 'a.b, c.>', HUBCAST_COALESCE_CHANNELS: 'c.>' } },
      ['a.b', 'c.>'],
      ['c.>'],
    ],
    ['a file', { file: { ephemeralChannels: ['>'] } }, ['>'], []],
  ])('reads ephemeralChannels and coalesceChannels as lists: %s', (_l, sources, eph, coal) => {
    const config = loadConfig({ ...sources, file: { ...VERIFIED, ...sources.file } });
    expect(config.ephemeralChannels).toEqual(eph);
    expect(config.coalesceChannels).toEqual(coal);
  });

  it.each<[label: string, sources: ConfigSources, named: string]>([
    [
      'a > before the last segment',
      { flags: { 'ephemeral-channels': 'ok.>,a.>.b' } },
      '--ephemeral-channels (at ephemeralChannels.1)',
    ],
    [
      'an empty segment',
      { env: { HUBCAST_COALESCE_CHANNELS: 'a..b' } },
      'environment HUBCAST_COALESCE_CHANNELS (at coalesceChannels.0)',
    ],
    [
      'a number',
      { file: { ephemeralChannels: [7] } },
      "config file key 'ephemeralChannels' (at ephemeralChannels.0)",
    ],
  ])('refuses a channel pattern with %s, naming where', (_label, sources, named) => {
    const err = configError({ ...sources, file: { ...VERIFIED, ...sources.file } });
    expect(err.message).toContain(`invalid ${named}: `);
  });

  it('takes distinct tenant keys beside the admin key', () => {
    const apiKeys = [
      { key: TENANT, org: 'acme' },
      { key: 'other-key-0123456789', org: 'acme' },
    ];
    expect(loadConfig({ file: { ...VERIFIED, apiKey: ADMIN, apiKeys } }).apiKeys).toEqual(apiKeys);
  });

  it.each<[label: string, sources: ConfigSources, named: string, why: RegExp]>([
    [
      "'*' inside a label",
      { flags: { 'allowed-origins': 'https://app.example.com,https://*example.com' } },
      '--allowed-origins (at allowedOrigins.1)',
      /whole leading label/,
    ],
    [
      "'*' after the first label",
      { env: { HUBCAST_ALLOWED_ORIGINS: 'https://a.*.example.com' } },
      'environment HUBCAST_ALLOWED_ORIGINS (at allowedOrigins.0)',
      /whole leading label/,
    ],
    [
      'no scheme',
      { file: { allowedOrigins: ['*.example.com'] } },
      "config file key 'allowedOrigins' (at allowedOrigins.0)",
      /scheme:\/\/host/,
    ],
    [
      'a path',
      { file: { allowedOrigins: ['https://app.example.com/'] } },
      "config file key 'allowedOrigins' (at allowedOrigins.0)",
      /path/,
    ],
  ])('an origin pattern with %s, naming where', (_label, sources, named, why) => {
    const err = configError({ ...sources, file: { ...VERIFIED, ...sources.file } });
    expect(err.message).toContain(`invalid ${named}: `);
    expect(err.message).toMatch(why);
  });

  it('takes *, exact origins and a leading *. label', () => {
    const allowedOrigins = [
      '*',
      'https://app.example.com',
      'https://*.example.com',
      'http://*.example.com:8080',
    ];
    expect(loadConfig({ file: { ...VERIFIED, allowedOrigins } }).allowedOrigins).toEqual(
      allowedOrigins,
    );
  });
});

describe('loadConfig with a config file', () => {
  it('reads a JSON file, below env and flags', () => {
    const path = writeConfigFile(
      JSON.stringify({
        jwtSecret: SECRET,
        port: 1000,
        pingInterval: 3,
        apiKeys: [{ key: 'tenant-key-1', org: 'acme' }],
      }),
    );
    const config = loadConfig({ filePath: path, env: { HUBCAST_PING_INTERVAL: '4' } });
    expect(config.port).toBe(1000);
    expect(config.pingInterval).toBe(4);
    expect(config.apiKeys).toEqual([{ key: 'tenant-key-1', org: 'acme' }]);
  });

  it('says clearly when the file is missing', () => {
    const path = join(dir, 'missing.json');
    const err = configError({ filePath: path });
    expect(err.message).toContain('cannot read config file');
    expect(err.message).toContain(path);
  });

  it.each<[label: string, text: string, says: string]>([
    ['broken JSON', '{"port": 1,', 'not valid JSON'],
    ['an empty file', '', 'not valid JSON'],
    ['an array', '[1, 2]', 'must hold a JSON object'],
    ['null', 'null', 'must hold a JSON object'],
  ])('says clearly when the file holds %s', (_label, text, says) => {
    const path = writeConfigFile(text);
    const err = configError({ filePath: path });
    expect(err.message).toContain(says);
    expect(err.message).toContain(path);
  });

  it('rejects an unknown key in the file, naming it', () => {
    const path = writeConfigFile(JSON.stringify({ jwtSecret: SECRET, pingTimeout: 3 }));
    expect(configError({ filePath: path }).message).toContain("'pingTimeout'");
  });
});

describe('limits (issue 10)', () => {
  it('has defaults that protect a production node', () => {
    const config = loadConfig({ file: VERIFIED });
    expect({
      maxConnections: config.maxConnections,
      maxUnauthenticatedPerIp: config.maxUnauthenticatedPerIp,
      httpHeadersTimeout: config.httpHeadersTimeout,
      httpRequestTimeout: config.httpRequestTimeout,
      httpKeepAliveTimeout: config.httpKeepAliveTimeout,
      tenantQuotas: config.tenantQuotas,
    }).toEqual({
      maxConnections: undefined, // resolved from the open-files limit at start
      maxUnauthenticatedPerIp: 0, // off: behind a proxy every client has one address
      httpHeadersTimeout: 10,
      httpRequestTimeout: 30,
      httpKeepAliveTimeout: 5,
      tenantQuotas: [],
    });
  });

  it('reads every limit from a flag, an env var and a file key', () => {
    const config = loadConfig({
      flags: { 'max-connections': '500', 'tenant-publish-rate': '2.5' },
      env: { HUBCAST_MAX_UNAUTHENTICATED_PER_IP: '8' },
      file: { ...VERIFIED, tenantQuotas: [{ org: 'acme', maxConnections: 3 }] },
    });
    expect([
      config.maxConnections,
      config.tenantPublishRate,
      config.maxUnauthenticatedPerIp,
      config.tenantQuotas,
    ]).toEqual([500, 2.5, 8, [{ org: 'acme', maxConnections: 3 }]]);
  });

  it.each<[label: string, file: Record<string, unknown>, says: string]>([
    [
      'an org quoted twice',
      { tenantQuotas: [{ org: 'a' }, { org: 'a', publishRate: 1 }] },
      "tenantQuotas names org 'a' twice",
    ],
    ['an unknown quota key', { tenantQuotas: [{ org: 'a', maxConn: 1 }] }, 'tenantQuotas'],
    ['a bad org', { tenantQuotas: [{ org: 'a b' }] }, 'valid org name'],
    [
      'a request timeout below the headers timeout',
      { httpHeadersTimeout: 20, httpRequestTimeout: 10 },
      'httpRequestTimeout',
    ],
  ])('refuses %s', (_label, file, says) => {
    expect(configError({ file: { ...VERIFIED, ...file } }).message).toContain(says);
  });

  it('sets tenantQuotas only in a config file', () => {
    expect(configError({ file: VERIFIED, flags: { 'tenant-quotas': '[]' } }).message).toContain(
      'unknown option --tenant-quotas',
    );
  });
});

describe('queue ingest (issue 11)', () => {
  const REDIS = 'redis://127.0.0.1:6379';

  it('is off by default, on queue hubcast with 16 jobs at once', () => {
    const config = loadConfig({ file: VERIFIED });
    expect([config.queue, config.queueName, config.queueConcurrency]).toEqual([
      false,
      'hubcast',
      16,
    ]);
  });

  it.each<[label: string, sources: ConfigSources]>([
    ['a bare flag', { flags: { queue: true, 'redis-url': REDIS } }],
    ['an env variable', { env: { HUBCAST_QUEUE: '1', HUBCAST_REDIS_URL: REDIS } }],
    ['a file key', { file: { queue: true, redisUrl: REDIS } }],
  ])('is turned on by %s', (_label, sources) => {
    expect(loadConfig({ ...sources, file: { ...VERIFIED, ...sources.file } }).queue).toBe(true);
  });

  it('reads the queue name and concurrency from flags', () => {
    const config = loadConfig({
      flags: { queue: true, 'redis-url': REDIS, 'queue-name': 'jobs.v2', 'queue-concurrency': '4' },
      file: VERIFIED,
    });
    expect([config.queueName, config.queueConcurrency]).toEqual(['jobs.v2', 4]);
  });

  it('runs with the embedded engine: one node, its SQLite log, jobs from Redis', () => {
    const config = loadConfig({ flags: { queue: true, 'redis-url': REDIS }, file: VERIFIED });
    expect([config.engine, config.log]).toEqual(['embedded', 'sqlite']);
  });

  it.each<[label: string, sources: ConfigSources, says: string]>([
    ['--queue without a Redis', { flags: { queue: true } }, '--queue'],
    ['HUBCAST_QUEUE without a Redis', { env: { HUBCAST_QUEUE: 'true' } }, '--redis-url'],
    [
      'a queue name BullMQ cannot take',
      { flags: { 'queue-name': 'a:b' } },
      'invalid --queue-name: must be 1-64 characters of A-Z a-z 0-9 _ . -',
    ],
    ['no concurrency', { flags: { 'queue-concurrency': '0' } }, 'invalid --queue-concurrency'],
    [
      'a fractional concurrency',
      { env: { HUBCAST_QUEUE_CONCURRENCY: '1.5' } },
      'HUBCAST_QUEUE_CONCURRENCY',
    ],
    [
      'a queue flag that is not a boolean',
      { flags: { queue: 'yes' } },
      '--queue: must be true or false',
    ],
  ])('refuses %s', (_label, sources, says) => {
    expect(configError({ ...sources, file: VERIFIED }).message).toContain(says);
  });

  it('says what --queue needs, naming the flag and the variable', () => {
    expect(configError({ flags: { queue: true }, file: VERIFIED }).message).toBe(
      '--queue takes jobs from a BullMQ queue in Redis: it needs --redis-url (HUBCAST_REDIS_URL)',
    );
  });
});

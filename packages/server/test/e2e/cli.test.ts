/**
 * The CLI as a user runs it: a real `hubcast` process. Config errors name the key; `--dev`
 * prints a working token and key; SIGTERM drains clients with `reconnect` + 4000 and exits 0.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jwtVerify } from 'jose';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { outputUntil } from '../helpers/child-output.js';
import { camelToKebab } from '../../src/config/load.js';
import { CONFIG_KEYS, FILE_ONLY_KEYS } from '../../src/config/schema.js';

const BIN = fileURLToPath(new URL('../../bin/hubcast.js', import.meta.url));
const children: ChildProcessWithoutNullStreams[] = [];

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

// `serve` keeps its log in ./data: each run gets a scratch working directory.
const workDir = mkdtempSync(join(tmpdir(), 'hubcast-cli-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

function run(args: string[], env: Record<string, string> = {}): ChildProcessWithoutNullStreams {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    cwd: workDir,
  });
  children.push(child);
  return child;
}

/** Runs to completion and returns exit code and output. */
async function runToEnd(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; out: string; err: string }> {
  const child = run(args, env);
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { code, out, err };
}

describe('config errors name the bad key', () => {
  it.each([
    [['serve', '--port', 'abc'], {}, /--port: must be a number/],
    [['serve', '--ping-interval', '-1', '--jwt-secret', 'x'.repeat(16)], {}, /--ping-interval/],
    [['serve', '--no-such-option', '1'], {}, /unknown option --no-such-option/],
    [['serve'], {}, /missing token verification/],
    [['serve', '--dev', '--log', 'disk'], {}, /--log: .*"sqlite"\|"memory"/],
    [['serve', '--dev', '--store', 'postgres'], {}, /--store postgres needs --postgres-url/],
    [
      ['serve', '--dev', '--store', 'postgres', '--postgres-url', 'mysql://u:secret-pw@h/db'],
      {},
      /--postgres-url: must be a postgres:\/\/ connection string/,
    ],
    [
      ['serve', '--jwks', 'http://127.0.0.1:9/jwks.json'],
      {},
      /--jwks: the jwks URL must use https/,
    ],
    [
      ['serve', '--dev'],
      { HUBCAST_PING_INTERVAL: 'soon' },
      /HUBCAST_PING_INTERVAL: must be a number/,
    ],
  ] as const)('hubcast %j', async (args, env, message) => {
    const r = await runToEnd([...args], env);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
  });

  it('never echoes a secret that is too short', async () => {
    const r = await runToEnd(['serve', '--jwt-secret', 'hunter2-secret']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--jwt-secret/);
    expect(r.err).not.toContain('hunter2-secret');
  });

  it('never echoes a database password', async () => {
    const r = await runToEnd(['serve', '--dev', '--postgres-url', 'mysql://u:secret-pw@h/db']);
    expect(r.code).toBe(2);
    expect(r.err).not.toContain('secret-pw');
  });

  it('refuses a corrupt log file, naming it', async () => {
    const dir = mkdtempSync(join(workDir, 'case-'));
    writeFileSync(join(dir, 'events.db'), Buffer.alloc(8192, 0x5a));
    const r = await runToEnd(['serve', '--dev', '--port', '0', '--data-dir', dir]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`cannot open the event log ${join(dir, 'events.db')}`);
    expect(r.err).toMatch(/not a database/);
  });

  it('names an unknown key of the config file', async () => {
    const dir = mkdtempSync(join(workDir, 'case-'));
    const file = join(dir, 'hubcast.json');
    writeFileSync(file, JSON.stringify({ jwtSecret: 'x'.repeat(20), pingIntervall: 3 }));
    const r = await runToEnd(['serve', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown config key 'pingIntervall'/);
  });
});

describe('hubcast serve --help', () => {
  it('lists the flag of every config key that has one', async () => {
    const r = await runToEnd(['serve', '--help']);
    expect(r.code).toBe(0);
    const missing = CONFIG_KEYS.filter((k) => !FILE_ONLY_KEYS.has(k)).filter(
      (k) => !r.out.includes(`--${camelToKebab(k)} `),
    );
    expect(missing).toEqual([]);
    expect(r.out).toMatch(/--jwt-clock-tolerance S .*\(5\)/);
  });
});

describe('hubcast token', () => {
  it('prints a JWT with the asked claims', async () => {
    const secret = 's'.repeat(32);
    const r = await runToEnd([
      'token',
      '--user',
      'alice',
      '--org',
      'acme',
      '--subscribe',
      'a.>',
      '--subscribe',
      'b.*',
      '--publish',
      'a.x',
      '--ttl',
      '60',
      '--secret',
      secret,
    ]);
    expect(r.code).toBe(0);
    const { payload } = await jwtVerify(r.out.trim(), new TextEncoder().encode(secret));
    expect(payload).toMatchObject({
      sub: 'alice',
      org: 'acme',
      subscribe: ['a.>', 'b.*'],
      publish: ['a.x'],
    });
    expect((payload.exp ?? 0) - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(60);
  });

  it('refuses a bad pattern', async () => {
    const r = await runToEnd([
      'token',
      '--user',
      'a',
      '--org',
      'o',
      '--subscribe',
      'a.>.b',
      '--secret',
      's'.repeat(32),
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/'a.>.b' is not a valid pattern/);
  });
});

describe('hubcast serve --dev', () => {
  it('refuses to share its data dir with a running node', async () => {
    const dir = mkdtempSync(join(workDir, 'case-'));
    const first = run(['serve', '--dev', '--port', '0', '--data-dir', dir]);
    await outputUntil(first, /publish: {2}curl/);
    const second = await runToEnd(['serve', '--dev', '--port', '0', '--data-dir', dir]);
    expect(second.code).toBe(2);
    expect(second.err).toContain(`cannot open the event log ${join(dir, 'events.db')}`);
    expect(second.err).toMatch(/another process/);
    first.kill('SIGTERM');
  });

  it('prints a working token and key, publishes, and drains on SIGTERM', async () => {
    const child = run(['serve', '--dev', '--port', '0', '--log-level', 'warn']);
    const out = await outputUntil(child, /publish: {2}curl/);
    const base = /dev node on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    const token = /dev token[^\n]*\n\s+(\S+)/.exec(out)?.[1];
    const apiKey = /API key:\s+(\S+)/.exec(out)?.[1];
    expect(base).toBeDefined();
    expect(token).toBeDefined();
    expect(apiKey).toBeDefined();

    const ws = new WebSocket(`${base!.replace('http', 'ws')}/ws`);
    const messages: { type: string; [k: string]: unknown }[] = [];
    const waiters: (() => void)[] = [];
    const gotType = (type: string): Promise<void> =>
      new Promise((resolve) => {
        const check = (): boolean => messages.some((m) => m.type === type) && (resolve(), true);
        if (!check()) waiters.push(() => void check());
      });
    ws.on('message', (d: Buffer) => {
      for (const line of d.toString().split('\n'))
        if (line) messages.push(JSON.parse(line) as { type: string });
      for (const w of waiters) w();
    });
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    await new Promise<void>((resolve) => ws.on('open', () => resolve()));
    ws.send(JSON.stringify({ type: 'connect', id: 1, token, subscriptions: ['demo.>'] }));
    await gotType('connected');

    const pub = await runToEnd([
      'publish',
      '--url',
      base!,
      '--api-key',
      apiKey!,
      '--org',
      'dev',
      '--channel',
      'demo.hello',
      '--data',
      '{"hi":1}',
    ]);
    expect(pub.code).toBe(0);
    expect(JSON.parse(pub.out)).toMatchObject({ duplicate: false });
    await gotType('event');
    expect(messages.find((m) => m.type === 'event')).toMatchObject({
      channel: 'demo.hello',
      data: { hi: 1 },
    });

    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGTERM');
    expect(await closed).toBe(4000);
    expect(messages.find((m) => m.type === 'reconnect')).toMatchObject({ reason: 'shutdown' });
    expect(await exited).toBe(0);
  });
});

describe('--help', () => {
  it.each([
    [['--help'], /usage: hubcast <command>[\s\S]*serve[\s\S]*token[\s\S]*publish[\s\S]*bench/],
    [['-h'], /usage: hubcast <command>/],
    [['help'], /usage: hubcast <command>/],
    [['serve', '--help'], /usage: hubcast serve[\s\S]*--config FILE[\s\S]*HUBCAST_CONFIG/],
    [['serve', '-h'], /usage: hubcast serve/],
    [['token', '--help'], /usage: hubcast token[\s\S]*--user[\s\S]*--secret/],
    [['token', '-h'], /usage: hubcast token/],
    [['publish', '--help'], /usage: hubcast publish[\s\S]*--channel[\s\S]*--data[\s\S]*--url/],
    [['publish', '-h'], /usage: hubcast publish/],
    [['bench', '--help'], /usage: hubcast bench[\s\S]*--smoke/],
    [['bench', '-h'], /usage: hubcast bench/],
  ])('hubcast %j prints its usage and exits 0', async (args, usage) => {
    const r = await runToEnd(args);
    expect(r.err).toBe('');
    expect(r.out).toMatch(usage);
    expect(r.code).toBe(0);
  });

  it('acts on no option when help is asked', async () => {
    // With --help, `token` prints no token even though its options are complete.
    const r = await runToEnd([
      'token',
      '--user',
      'a',
      '--org',
      'o',
      '--secret',
      's'.repeat(32),
      '-h',
    ]);
    expect(r.code).toBe(0);
    expect(r.out).not.toMatch(/^eyJ/m);
  });
});

describe('hubcast publish', () => {
  const key = ['--api-key', 'some-admin-key', '--org', 'acme'];

  it('refuses a publish without --data, as the HTTP API does', async () => {
    const r = await runToEnd([
      'publish',
      ...key,
      '--channel',
      'chat.a',
      '--url',
      'http://127.0.0.1:1',
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--data is required/);
  });

  it('names the address it cannot reach, without a stack trace', async () => {
    const r = await runToEnd([
      'publish',
      ...key,
      '--channel',
      'chat.a',
      '--data',
      '1',
      '--url',
      'http://127.0.0.1:1',
    ]);
    expect(r.code).toBe(1);
    expect(r.err).toBe('hubcast publish: cannot reach http://127.0.0.1:1: connection refused\n');
  });

  it('never echoes credentials of the --url', async () => {
    const r = await runToEnd([
      'publish',
      ...key,
      '--channel',
      'chat.a',
      '--data',
      '1',
      '--url',
      'http://user:url-secret@127.0.0.1:1',
    ]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/cannot reach http:\/\/127\.0\.0\.1:1: connection refused/);
    expect(r.err).not.toContain('url-secret');
  });

  it('refuses a --url that is not an http URL', async () => {
    const r = await runToEnd([
      'publish',
      ...key,
      '--channel',
      'chat.a',
      '--data',
      '1',
      '--url',
      'localhost',
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--url must be an http:\/\/ or https:\/\/ URL/);
  });
});

describe('limits name the flag that raises them', () => {
  it('a 413 names --max-message-bytes', async () => {
    const dir = mkdtempSync(join(workDir, 'case-'));
    const node = run([
      'serve',
      '--dev',
      '--port',
      '0',
      '--data-dir',
      dir,
      '--max-message-bytes',
      '1024',
    ]);
    const out = await outputUntil(node, /publish: {2}curl/);
    const base = /dev node on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1] ?? '';
    const apiKey = /API key:\s+(\S+)/.exec(out)?.[1] ?? '';
    const r = await runToEnd([
      'publish',
      '--url',
      base,
      '--api-key',
      apiKey,
      '--org',
      'dev',
      '--channel',
      'demo.big',
      '--data',
      JSON.stringify('x'.repeat(2000)),
    ]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.err)).toEqual({
      error: {
        code: 'too_large',
        message: expect.stringContaining('--max-message-bytes') as unknown,
      },
    });
    node.kill('SIGTERM');
  });
});

describe('a data dir that cannot hold the log', () => {
  // Each case must fail at once: before the fix, /proc/... spun at 100% CPU until killed.
  it.each([
    ['on a special file system', () => '/proc/hubcast-data', /cannot create it/],
    ['under a regular file', () => join(aFile(), 'data'), /cannot create it \(ENOTDIR/],
    ['that is a file', () => aFile(), /is a file, not a directory/],
    ['where no file can be created', () => '/proc', /cannot create a file in it/],
  ])('refuses a data dir %s, exit 2', async (_case, dir, why) => {
    const dataDir = dir();
    const r = await runToEnd(['serve', '--dev', '--port', '0', '--data-dir', dataDir]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`data dir ${dataDir}: `);
    expect(r.err).toMatch(why);
    expect(r.err).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('creates a missing data dir, parents included', async () => {
    const dataDir = join(mkdtempSync(join(workDir, 'case-')), 'a', 'b');
    const node = run(['serve', '--dev', '--port', '0', '--data-dir', dataDir]);
    await outputUntil(node, /publish: {2}curl/);
    expect(existsSync(join(dataDir, 'events.db'))).toBe(true);
    expect(readdirSync(dataDir).filter((f) => f.includes('probe'))).toEqual([]);
    node.kill('SIGTERM');
  });
});

function aFile(): string {
  const file = join(mkdtempSync(join(workDir, 'case-')), 'not-a-dir');
  writeFileSync(file, 'x');
  return file;
}

interface DevRun {
  child: ChildProcessWithoutNullStreams;
  base: string;
  secret: string;
  apiKey: string;
  token: string;
}

async function startDev(args: string[]): Promise<DevRun> {
  const child = run(['serve', '--dev', '--port', '0', '--log-level', 'warn', ...args]);
  const out = await outputUntil(child, /publish: {2}curl/);
  const find = (re: RegExp): string => re.exec(out)?.[1] ?? '';
  return {
    child,
    base: find(/dev node on (http:\/\/127\.0\.0\.1:\d+)/),
    secret: find(/JWT secret:\s+(\S+)/),
    apiKey: find(/API key:\s+(\S+)/),
    token: find(/dev token[^\n]*\n\s+(\S+)/),
  };
}

async function stop(child: ChildProcessWithoutNullStreams): Promise<void> {
  const exited = new Promise<unknown>((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** The first reply to `connect` with `token`: `connected`, or the refusal. */
async function connectWith(base: string, token: string): Promise<string> {
  const ws = new WebSocket(`${base.replace('http', 'ws')}/ws`);
  await new Promise<void>((resolve) => ws.on('open', () => resolve()));
  const reply = new Promise<string>((resolve) =>
    ws.on('message', (d: Buffer) => resolve((JSON.parse(d.toString()) as { type: string }).type)),
  );
  ws.send(JSON.stringify({ type: 'connect', id: 1, token }));
  const type = await reply;
  ws.terminate();
  return type;
}

describe('hubcast serve --dev keeps its secrets in the data dir', () => {
  it('prints the same secret and key after a restart, and the first token still works', async () => {
    const dir = mkdtempSync(join(workDir, 'case-'));
    const first = await startDev(['--data-dir', dir]);
    await stop(first.child);
    const second = await startDev(['--data-dir', dir]);
    expect(second.secret).toBe(first.secret);
    expect(second.apiKey).toBe(first.apiKey);
    expect(await connectWith(second.base, first.token)).toBe('connected');
    expect(statSync(join(dir, 'dev-secrets.json')).mode & 0o777).toBe(0o600);
    await stop(second.child);
  });

  it('keeps them with the memory log and store too', async () => {
    const dir = join(mkdtempSync(join(workDir, 'case-')), 'not-yet');
    const args = ['--data-dir', dir, '--log', 'memory', '--store', 'memory'];
    const first = await startDev(args);
    await stop(first.child);
    const second = await startDev(args);
    expect([second.secret, second.apiKey]).toEqual([first.secret, first.apiKey]);
    await stop(second.child);
  });

  it('lets an explicit --jwt-secret and --api-key win', async () => {
    const dir = mkdtempSync(join(workDir, 'case-'));
    await stop((await startDev(['--data-dir', dir])).child);
    const explicit = await startDev([
      '--data-dir',
      dir,
      '--jwt-secret',
      'explicit-secret-0123456789',
      '--api-key',
      'explicit-api-key',
    ]);
    expect([explicit.secret, explicit.apiKey]).toEqual([
      'explicit-secret-0123456789',
      'explicit-api-key',
    ]);
    await stop(explicit.child);
  });
});

/** Status of a request to `base` that claims to be for `host`. */
function statusWithHost(base: string, path: string, host: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(path, base), { headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode);
    });
    req.on('error', reject);
    req.end();
  });
}

/** The HTTP status a WebSocket upgrade that claims `host` gets, or 101 when it opens. */
function upgradeStatus(base: string, host: string): Promise<number> {
  const ws = new WebSocket(`${base.replace('http', 'ws')}/ws`, { headers: { host } });
  return new Promise((resolve, reject) => {
    ws.on('open', () => {
      ws.terminate();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => {
      ws.terminate();
      resolve(res.statusCode ?? 0);
    });
    ws.on('error', reject);
  });
}

describe('hubcast serve --dev is loopback only', () => {
  it.each([['0.0.0.0'], ['192.0.2.1']])('refuses --host %s, exit 2', async (host) => {
    const dir = mkdtempSync(join(workDir, 'case-'));
    const r = await runToEnd(['serve', '--dev', '--port', '0', '--data-dir', dir, '--host', host]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/dev mode is loopback only/);
  });

  it('listens on --host ::1 and prints a URL that works', async () => {
    const child = run([
      'serve',
      '--dev',
      '--port',
      '0',
      '--host',
      '::1',
      '--data-dir',
      mkdtempSync(join(workDir, 'case-')),
    ]);
    const out = await outputUntil(child, /publish: {2}curl/);
    const base = /dev node on (\S+)/.exec(out)?.[1] ?? '';
    expect(base).toMatch(/^http:\/\/\[::1\]:\d+$/);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    await stop(child);
  });

  it('answers 403 to a request or upgrade for another Host (DNS rebinding)', async () => {
    const dev = await startDev(['--data-dir', mkdtempSync(join(workDir, 'case-'))]);
    const port = new URL(dev.base).port;
    expect(await statusWithHost(dev.base, '/', `localhost:${port}`)).toBe(200);
    expect(await statusWithHost(dev.base, '/', `[::1]:${port}`)).toBe(200);
    expect(await statusWithHost(dev.base, '/', `evil.example:${port}`)).toBe(403);
    expect(await statusWithHost(dev.base, '/dev.json', `evil.example:${port}`)).toBe(403);
    expect(await statusWithHost(dev.base, '/api/stats', `evil.example:${port}`)).toBe(403);
    expect(await upgradeStatus(dev.base, `localhost:${port}`)).toBe(101);
    expect(await upgradeStatus(dev.base, `evil.example:${port}`)).toBe(403);
    await stop(dev.child);
  });
});

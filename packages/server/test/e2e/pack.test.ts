/**
 * The packages as a user gets them: `npm pack` of each, installed into a fresh project outside
 * the repository, then used from there. The server runs from its installed bin, the client
 * and ServerClient are imported by their package names, and the published types check in a
 * strict project. See helpers/fresh-project.ts for how the install stays offline and fast.
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PUBLISHED,
  REPO_ROOT,
  installFreshProject,
  packPublished,
  type PackedTarball,
} from '../helpers/fresh-project.js';
import { outputUntil } from '../helpers/child-output.js';

const run = promisify(execFile);
const packDir = mkdtempSync(join(tmpdir(), 'hubcast-pack-'));
const project = mkdtempSync(join(tmpdir(), 'hubcast-fresh-'));
let tarballs: PackedTarball[] = [];
let server: ChildProcessWithoutNullStreams | undefined;

beforeAll(async () => {
  tarballs = await packPublished(packDir);
  // The bindings' peers, as an app using them has them.
  await installFreshProject(project, tarballs, [
    'ws',
    '@types/ws',
    '@types/node',
    'vue',
    'pinia',
    'react',
    '@types/react',
  ]);
}, 240_000);

afterAll(() => {
  if (server?.exitCode === null) server.kill('SIGKILL');
  rmSync(packDir, { recursive: true, force: true });
  rmSync(project, { recursive: true, force: true });
});

describe('npm pack', () => {
  it('packs every published package', () => {
    expect(tarballs.map((t) => t.name).sort()).toEqual(
      PUBLISHED.map((p) => `@hubcast/${p}`).sort(),
    );
  });

  it.each(PUBLISHED)('@hubcast/%s holds its build, without tests or build info', (p) => {
    const files = tarballs.find((t) => t.name === `@hubcast/${p}`)?.files ?? [];
    expect(files).toEqual(
      expect.arrayContaining(['package.json', 'README.md', 'dist/index.js', 'dist/index.d.ts']),
    );
    expect(files.filter((f) => /\.test\.|\.contract\.|tsbuildinfo|^test\//.test(f))).toEqual([]);
    // Source maps point into src/, so it ships too (a bundler warns about missing sources).
    expect(files).toContain('src/index.ts');
  });

  it('ships the server bin and its dev web page', () => {
    const files = tarballs.find((t) => t.name === '@hubcast/server')?.files ?? [];
    expect(files).toEqual(expect.arrayContaining(['bin/hubcast.js', 'web/index.html']));
  });

  it("ships the client's SharedWorker both ways: vendored beside the SDK, and as an export for bundlers", () => {
    const files = tarballs.find((t) => t.name === '@hubcast/client')?.files ?? [];
    expect(files).toEqual(
      expect.arrayContaining([
        'dist/worker/shared/worker-main.js',
        'dist/worker/protocol/index.js',
        'dist/shared/worker-main.js',
      ]),
    );
    const manifest = JSON.parse(
      readFileSync(join(project, 'node_modules/@hubcast/client/package.json'), 'utf8'),
    ) as { exports: Record<string, { default: string }> };
    expect(manifest.exports['./shared-worker']?.default).toBe('./dist/shared/worker-main.js');
  });

  it.each(PUBLISHED)('@hubcast/%s describes itself for a registry', (p) => {
    const manifest = JSON.parse(
      readFileSync(join(project, 'node_modules', '@hubcast', p, 'package.json'), 'utf8'),
    ) as Record<string, unknown>;
    expect(manifest).toMatchObject({
      license: 'MIT',
      description: expect.any(String) as unknown,
      engines: { node: expect.any(String) as unknown },
      types: './dist/index.d.ts',
      publishConfig: { access: 'public' },
    });
  });
});

/** Type-checks `lines` as `name` in the fresh project, strict, without skipLibCheck: tsc's output. */
async function typeCheck(name: string, lines: string[], lib: string[]): Promise<string> {
  writeFileSync(join(project, name), [...lines, ''].join('\n'));
  const config = join(project, `${name}.tsconfig.json`);
  writeFileSync(
    config,
    JSON.stringify({
      compilerOptions: {
        strict: true,
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        target: 'ES2022',
        lib,
        types: ['node'],
        noEmit: true,
        skipLibCheck: false,
      },
      files: [name],
    }),
  );
  const tsc = createRequire(join(REPO_ROOT, 'package.json')).resolve('typescript/bin/tsc');
  const result = await run(process.execPath, [tsc, '-p', config]).catch(
    (err: { stdout: string; code: number }) => ({ stdout: err.stdout, code: err.code }),
  );
  return result.stdout;
}

describe('the installed packages', () => {
  it('type-check in a strict project that does not skip library checks', async () => {
    const output = await typeCheck(
      'check.ts',
      [
        "import WebSocket from 'ws';",
        "import { HubcastClient, ServerClient, type HubcastEvent } from '@hubcast/client';",
        "import { matchPattern } from '@hubcast/protocol';",
        "import { createNode, loadConfig } from '@hubcast/server';",
        "const client = new HubcastClient({ url: 'ws://h/ws', token: 't', WebSocket, cursor: 'c' });",
        "client.subscribe('a.>', (event: HubcastEvent) => void event.cursor);",
        "const api = new ServerClient({ url: 'http://h', apiKey: 'k' });",
        'const node = createNode(loadConfig({ flags: { dev: true } }));',
        "export const used = [api, node, matchPattern('a.>', 'a.b')];",
      ],
      ['ES2023'],
    );
    expect(output).toBe('');
  }, 60_000);

  it('type-check the Vue and React bindings with their peers, in a browser project', async () => {
    const output = await typeCheck(
      'bindings.ts',
      [
        "import { createHubcast, defineLiveStore } from '@hubcast/vue';",
        "import { HubcastProvider, useLiveCollection, useLiveItem } from '@hubcast/react';",
        "import { connectShared } from '@hubcast/client';",
        "const shared = connectShared({ url: 'ws://h/ws', token: 't', user: 'u1' });",
        'export const used = [createHubcast, defineLiveStore, HubcastProvider, useLiveCollection, useLiveItem, shared];',
      ],
      ['ES2023', 'DOM'],
    );
    expect(output).toBe('');
  }, 60_000);

  it('serve from the bin, subscribe with the client, publish with ServerClient, stop', async () => {
    const dataDir = join(project, 'data');
    server = spawn(
      process.execPath,
      [join(project, 'node_modules', '.bin', 'hubcast'), 'serve', '--dev', '--port', '0'],
      { cwd: project, env: { PATH: process.env['PATH'] ?? '', HUBCAST_DATA_DIR: dataDir } },
    );
    const out = await outputUntil(server, /publish: {2}curl/);
    const base = /dev node on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1] ?? '';
    const token = /dev token[^\n]*\n\s+(\S+)/.exec(out)?.[1] ?? '';
    const apiKey = /API key:\s+(\S+)/.exec(out)?.[1] ?? '';
    // The default log is SQLite: the copied native addon loaded from the installed package.
    expect(existsSync(join(dataDir, 'events.db'))).toBe(true);
    // The dev page serves the SDK from the installed client package.
    expect((await fetch(`${base}/sdk/client/index.js`)).status).toBe(200);

    writeFileSync(join(project, 'use-client.mjs'), USE_CLIENT);
    const { stdout } = await run(process.execPath, ['use-client.mjs'], {
      cwd: project,
      env: { HUB_URL: base, HUB_TOKEN: token, HUB_KEY: apiKey },
      timeout: 20_000,
    });
    const { published, event } = JSON.parse(stdout) as {
      published: { event_id: string; duplicate: boolean };
      event: { event_id: string; channel: string; data: unknown };
    };
    expect(published.duplicate).toBe(false);
    expect(event).toMatchObject({
      event_id: published.event_id,
      channel: 'demo.pack',
      data: { from: 'ServerClient' },
    });

    const exited = new Promise<number | null>((resolve) => server?.on('exit', resolve));
    server.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 60_000);
});

/** A user's script: bare imports resolve through the project's node_modules, as in an app. */
const USE_CLIENT = `
import WebSocket from 'ws';
import { HubcastClient, ServerClient } from '@hubcast/client';

const { HUB_URL, HUB_TOKEN, HUB_KEY } = process.env;
const client = new HubcastClient({ url: HUB_URL.replace(/^http/, 'ws') + '/ws', token: HUB_TOKEN, WebSocket });
const received = new Promise((resolve) => client.subscribe('demo.>', resolve));
await client.connect();
const api = new ServerClient({ url: HUB_URL, apiKey: HUB_KEY, org: 'dev' });
const published = await api.publish({ channel: 'demo.pack', data: { from: 'ServerClient' } });
const event = await received;
client.disconnect();
console.log(JSON.stringify({ published, event }));
`;

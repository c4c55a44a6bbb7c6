/**
 * TLS on the node itself (issue 10): `--tls-cert` and `--tls-key` serve https:// and wss:// on
 * the one port, the SDK connects over wss://, and SIGHUP swaps in renewed files without
 * dropping a connection (and keeps the old ones when the new pair is bad).
 */
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { HubcastClient, type HubcastEvent } from '@hubcast/client';
import { loadConfig } from '../../src/index.js';
import { startServeProcess, type ServeProcess } from '../helpers/serve-process.js';
import { signTestToken, startTestNode, type TestNode } from '../helpers/test-node.js';
import { makeSelfSignedCert } from '../helpers/tls-cert.js';

const dir = mkdtempSync(join(tmpdir(), 'hubcast-tls-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const certA = makeSelfSignedCert(dir, 'a');
const certB = makeSelfSignedCert(dir, 'b');

let node: TestNode | undefined;
let proc: ServeProcess | undefined;
let client: HubcastClient | undefined;
afterEach(async () => {
  client?.disconnect();
  client = undefined;
  await node?.stop();
  node = undefined;
  await proc?.stop();
  proc = undefined;
});

/** `ws` trusting the given certificates, as the SDK's injected WebSocket class. */
function trustingWebSocket(
  ca: string[],
): new (url: string, protocols?: string | string[]) => WebSocket {
  return class extends WebSocket {
    constructor(url: string, protocols?: string | string[]) {
      super(url, protocols, { ca });
    }
  };
}

/** One HTTPS call trusting `ca`; resolves with the status and body. */
function httpsCall(
  url: string,
  ca: string[],
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET', headers: init.headers, ca }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(init.body);
  });
}

/** The SHA-256 fingerprint of the certificate a fresh TLS handshake is given. */
function servedFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tlsConnect({ port, host: '127.0.0.1', rejectUnauthorized: false }, () => {
      resolve(s.getPeerCertificate().fingerprint256);
      s.destroy();
    });
    s.on('error', reject);
  });
}

describe('--tls-cert and --tls-key', () => {
  it('serve wss:// to the SDK and https:// to the API on one port', async () => {
    node = await startTestNode({ tlsCert: certA.certPath, tlsKey: certA.keyPath });
    const port = node.node.address().port;
    const base = `https://127.0.0.1:${port}`;
    expect(await httpsCall(`${base}/healthz`, [certA.pem])).toEqual({
      status: 200,
      body: '{"status":"ok"}',
    });
    client = new HubcastClient({
      url: `wss://127.0.0.1:${port}/ws`,
      token: await node.token({ sub: 'alice', org: 'acme' }),
      WebSocket: trustingWebSocket([certA.pem]),
    });
    const received = new Promise<HubcastEvent>((resolve) =>
      client?.subscribe('news.>', (e) => resolve(e)),
    );
    await client.connect();
    const published = await httpsCall(`${base}/api/publish`, [certA.pem], {
      method: 'POST',
      headers: { authorization: `Bearer ${node.adminKey}` },
      body: JSON.stringify({ org: 'acme', channel: 'news.a', data: { over: 'tls' } }),
    });
    expect(published.status).toBe(200);
    expect((await received).data).toEqual({ over: 'tls' });
  });

  it('refuse a certificate without its key, and a key that is not the certificate', () => {
    expect(() => loadConfig({ file: { jwtSecret: 'x'.repeat(16), tlsCert: 'a' } })).toThrow(
      'give both --tls-cert and --tls-key',
    );
    const mismatched = startTestNode({ tlsCert: certA.certPath, tlsKey: certB.keyPath });
    return expect(mismatched).rejects.toThrow(/--tls-cert .* and --tls-key .*: .*mismatch/);
  });

  it('drop a peer that never finishes its TLS handshake after --http-headers-timeout', async () => {
    node = await startTestNode({
      tlsCert: certA.certPath,
      tlsKey: certA.keyPath,
      httpHeadersTimeout: 0.3,
      httpRequestTimeout: 1,
    });
    const peer = netConnect(node.node.address().port, '127.0.0.1');
    peer.on('error', () => undefined);
    // Connected, silent: without a handshake timeout of its own Node would wait 120 s.
    await new Promise<void>((resolve) => peer.on('close', () => resolve()));
  });

  it('stop `hubcast serve` at start with a message naming a missing file', async () => {
    const missing = join(dir, 'nope.crt');
    await expect(
      startServeProcess(['--tls-cert', missing, '--tls-key', certA.keyPath]),
    ).rejects.toThrow(`cannot read --tls-cert ${missing} (ENOENT)`);
  });
});

describe('SIGHUP', () => {
  it('swaps in renewed files for new handshakes and keeps open connections', async () => {
    const certPath = join(dir, 'live.crt');
    const keyPath = join(dir, 'live.key');
    copyFileSync(certA.certPath, certPath);
    copyFileSync(certA.keyPath, keyPath);
    proc = await startServeProcess(['--tls-cert', certPath, '--tls-key', keyPath]);
    expect(await servedFingerprint(proc.port)).toBe(certA.fingerprint);

    const ws = new WebSocket(`wss://127.0.0.1:${proc.port}/ws`, { ca: [certA.pem] });
    const lines: string[] = [];
    ws.on('message', (d: Buffer) => lines.push(...d.toString().split('\n')));
    await new Promise((resolve) => ws.on('open', resolve));
    ws.send(JSON.stringify({ type: 'connect', id: 1, token: await signTestToken(alice) }));
    await until(() => lines.some((l) => l.includes('"connected"')));

    copyFileSync(certB.certPath, certPath);
    copyFileSync(certB.keyPath, keyPath);
    const reloads = countOf(proc.output(), 'tls files reloaded');
    proc.child.kill('SIGHUP');
    await until(() => countOf(proc?.output() ?? '', 'tls files reloaded') > reloads);
    expect(await servedFingerprint(proc.port)).toBe(certB.fingerprint);
    // The connection made before the reload carries on.
    ws.send(JSON.stringify({ type: 'ping', id: 2 }));
    await until(() => lines.some((l) => l === '{"type":"pong","id":2}'));

    // A bad pair is refused and the node keeps serving the one in use.
    writeFileSync(keyPath, 'not a key');
    proc.child.kill('SIGHUP');
    await until(() => (proc?.output() ?? '').includes('tls files not reloaded'));
    expect(await servedFingerprint(proc.port)).toBe(certB.fingerprint);
    expect(proc.isAlive()).toBe(true);
    ws.close();
  });
});

const alice = { sub: 'alice', org: 'acme' };
const countOf = (text: string, needle: string): number => text.split(needle).length - 1;

/** Polls a condition on output already arriving; fails after 5 s. */
async function until(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in 5 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

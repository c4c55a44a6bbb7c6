/**
 * Issue 10, defect 1: a peer that resets its socket while the node refuses its upgrade (wrong
 * path, bad Origin, bad subprotocol, draining) must not kill the process. Node removes the HTTP
 * server's socket `error` listener before it emits `upgrade`, so a refusal that only calls
 * `socket.end()` leaves an `ECONNRESET` with no listener: an uncaught error.
 */
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { sendAndReset, upgradeRequest } from '../helpers/raw-peer.js';
import { startServeProcess, type ServeProcess } from '../helpers/serve-process.js';

let proc: ServeProcess | undefined;
afterEach(async () => {
  await proc?.stop();
  proc = undefined;
});

/** The answer to one upgrade, read to the end of the headers. */
function statusOf(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      if (text.includes('\r\n\r\n')) resolve(text.split('\r\n')[0] ?? '');
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(text.split('\r\n')[0] ?? ''));
  });
}

describe('refused upgrades with resets', () => {
  it.each([
    ['a wrong path', upgradeRequest('/x')],
    ['a bad Origin', upgradeRequest('/ws', { Origin: 'https://evil.example' })],
    ['an unknown subprotocol', upgradeRequest('/ws', { 'Sec-WebSocket-Protocol': 'nope' })],
    ['a bad WebSocket key', upgradeRequest('/ws').replace('dGhlIHNhbXBsZSBub25jZQ==', 'short')],
  ])('survives 50 resets during the refusal of %s', async (_what, request) => {
    proc = await startServeProcess();
    const port = proc.port;
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => sendAndReset(port, request, (i % 10) + 1)),
    );
    // The refusal still answers, and the process is up and healthy after the storm.
    expect(await statusOf(port, request)).toMatch(/^HTTP\/1\.1 4\d\d /);
    const health = await fetch(`${proc.httpUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(proc.isAlive()).toBe(true);
    expect(proc.output()).not.toMatch(/ECONNRESET|uncaught/i);
  });
});

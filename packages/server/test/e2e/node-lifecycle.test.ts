/**
 * A node's files follow its life: start opens the SQLite log and store, stop closes them, a
 * start that fails half way (the port is taken) leaves nothing open, and a stopped node can
 * start again on the same files.
 */
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startTestNode } from '../helpers/test-node.js';
import { createNode, loadConfig } from '../../src/index.js';

const dataDir = mkdtempSync(join(tmpdir(), 'hubcast-lifecycle-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

/** Files under the data dir this process holds open right now. */
function openDataFiles(): string[] {
  const held: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith(dataDir)) held.push(target.slice(dataDir.length + 1));
    } catch {
      // The fd closed while we looked.
    }
  }
  return held.sort();
}

const configFor = (port: number) =>
  loadConfig({
    file: { host: '127.0.0.1', port, jwtSecret: 'x'.repeat(32), logLevel: 'silent', dataDir },
    env: {},
  });

describe('node lifecycle', () => {
  it('opens its files on start, closes them on stop, and on a failed start', async () => {
    const holder = await startTestNode();
    const port = holder.node.address().port;

    const node = createNode(configFor(port));
    expect(openDataFiles()).toEqual([]);
    await expect(node.start()).rejects.toThrow(/EADDRINUSE/);
    expect(openDataFiles()).toEqual([]);
    await holder.stop();

    await node.start();
    expect(openDataFiles()).toEqual(expect.arrayContaining(['events.db', 'store.db']) as unknown);
    await node.stop();
    expect(openDataFiles()).toEqual([]);

    // The same files again, as a restarted process would find them.
    await node.start();
    const ready = await fetch(`http://127.0.0.1:${node.address().port}/readyz`);
    expect(await ready.json()).toEqual({ status: 'ready' });
    await node.stop();
    expect(openDataFiles()).toEqual([]);
  });
});

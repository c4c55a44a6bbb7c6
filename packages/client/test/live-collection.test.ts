/**
 * LiveCollection against a real node: the snapshot, events mapped to ops, the ordering of a
 * load against events that arrive meanwhile, and a reload after `reset`.
 */
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestNode } from '../../server/test/helpers/test-node.js';
import {
  HubcastClient,
  LiveCollection,
  ServerClient,
  type CollectionChange,
  type CollectionOp,
  type HubcastEvent,
  type LiveCollectionOptions,
} from '../src/index.js';
import { FAST_BACKOFF, ORG, startFixture, type Fixture } from './helpers/fixtures.js';
import { freePort } from './helpers/free-port.js';
import { until, waitFor } from './helpers/wait-for.js';

interface Row {
  sku: string;
  qty: number;
}

type Update =
  | { type: 'set'; row: Row }
  | { type: 'qty'; sku: string; qty: number }
  | { type: 'gone'; sku: string };

function mapUpdate(event: HubcastEvent): CollectionOp<Row> | undefined {
  const data = event.data as Update;
  switch (data.type) {
    case 'set':
      return { op: 'upsert', item: data.row };
    case 'qty':
      return { op: 'patch', key: data.sku, patch: { qty: data.qty } };
    case 'gone':
      return { op: 'delete', key: data.sku };
    default:
      return undefined;
  }
}

function options(load: LiveCollectionOptions<Row>['load']): LiveCollectionOptions<Row> {
  return { channel: 'inventory.>', key: (r) => r.sku, load, map: mapUpdate };
}

/** Waits until the collection's view satisfies `check`. */
function settled(collection: LiveCollection<Row>, check: () => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    if (check()) return resolve();
    const timer = setTimeout(() => {
      off();
      reject(new Error('collection never settled'));
    }, 10_000);
    const off = collection.subscribe(() => {
      if (!check()) return;
      clearTimeout(timer);
      off();
      resolve();
    });
  });
}

/** Publishes over the HTTP API and waits until the client has the event. */
async function delivered(
  client: HubcastClient,
  api: ServerClient,
  channel: string,
  data: Update,
): Promise<{ cursor: string }> {
  const arrived = waitFor(client, 'event', (e) => e.channel === channel);
  const published = await api.publish({ channel, data });
  await arrived;
  return published;
}

const rows = (c: LiveCollection<Row>): Row[] => [...c.getSnapshot().items];

let fx: Fixture;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(): Promise<{ client: HubcastClient; api: ServerClient }> {
  fx = await startFixture();
  cleanups.push(() => fx.close());
  const client = await fx.client('alice');
  return { client, api: fx.api };
}

describe('LiveCollection', () => {
  it('loads once live, then applies upsert, patch and delete from events', async () => {
    const { client, api } = await setup();
    let loads = 0;
    const collection = new LiveCollection<Row>(
      client,
      options(() => {
        loads++;
        return Promise.resolve([
          { sku: 'a', qty: 1 },
          { sku: 'b', qty: 2 },
        ]);
      }),
    );
    cleanups.push(() => collection.stop());
    const changes: CollectionChange<Row>[] = [];
    collection.onChange((c) => changes.push(c));
    collection.start();
    expect(collection.status).toBe('waiting');
    await client.connect();
    await settled(collection, () => collection.status === 'ready');
    expect(rows(collection)).toEqual([
      { sku: 'a', qty: 1 },
      { sku: 'b', qty: 2 },
    ]);
    expect(collection.getSnapshot()).toBe(collection.getSnapshot()); // stable until a change
    const before = collection.getSnapshot();

    await api.publish({ channel: 'inventory.b', data: { type: 'qty', sku: 'b', qty: 7 } });
    await api.publish({ channel: 'inventory.c', data: { type: 'set', row: { sku: 'c', qty: 3 } } });
    await api.publish({ channel: 'inventory.a', data: { type: 'gone', sku: 'a' } });
    await settled(collection, () => collection.size === 2 && collection.get('c') !== undefined);
    expect(rows(collection)).toEqual([
      { sku: 'b', qty: 7 },
      { sku: 'c', qty: 3 },
    ]);
    expect(collection.getSnapshot()).not.toBe(before);
    expect(changes.map((c) => (c.kind === 'reset' ? 'reset' : `${c.kind}:${c.key}`))).toEqual([
      'reset',
      'patch:b',
      'upsert:c',
      'delete:a',
    ]);
    expect(changes[1]).toMatchObject({ kind: 'patch', patch: { qty: 7 } });
    expect(loads).toBe(1);
  });

  it('applies events that arrive during the load on top of the snapshot, so a stale snapshot never wins', async () => {
    const { client, api } = await setup();
    await client.connect();
    const collection = new LiveCollection<Row>(
      client,
      options(async () => {
        // The change lands (and reaches the client) while the slow snapshot is still on its way.
        await delivered(client, api, 'inventory.a', { type: 'qty', sku: 'a', qty: 9 });
        return [{ sku: 'a', qty: 1 }];
      }),
    );
    cleanups.push(() => collection.stop());
    collection.start();
    await settled(collection, () => collection.status === 'ready');
    expect(collection.get('a')).toEqual({ sku: 'a', qty: 9 });
  });

  it('skips the buffered events up to the cursor the snapshot says it holds', async () => {
    const { client, api } = await setup();
    await client.connect();
    const collection = new LiveCollection<Row>(
      client,
      options(async () => {
        const first = await delivered(client, api, 'inventory.a', {
          type: 'qty',
          sku: 'a',
          qty: 5,
        });
        await delivered(client, api, 'inventory.b', { type: 'qty', sku: 'b', qty: 6 });
        // This snapshot holds the first change and a later one by other means (qty 7).
        return {
          items: [
            { sku: 'a', qty: 7 },
            { sku: 'b', qty: 1 },
          ],
          cursor: first.cursor,
        };
      }),
    );
    cleanups.push(() => collection.stop());
    collection.start();
    await settled(collection, () => collection.status === 'ready');
    expect(rows(collection)).toEqual([
      { sku: 'a', qty: 7 },
      { sku: 'b', qty: 6 },
    ]);
  });

  it('gives up a load when more events arrive meanwhile than it may buffer, and reloads on request', async () => {
    const { client, api } = await setup();
    await client.connect();
    let loads = 0;
    const collection = new LiveCollection<Row>(client, {
      ...options(async () => {
        loads++;
        if (loads === 1) {
          // Three changes arrive while the first load is out; the buffer holds two.
          for (const qty of [1, 2, 3])
            await delivered(client, api, 'inventory.a', { type: 'qty', sku: 'a', qty });
        }
        return [{ sku: 'a', qty: 3 }];
      }),
      maxBufferedEvents: 2,
    });
    cleanups.push(() => collection.stop());
    collection.start();
    await settled(collection, () => collection.status === 'error');
    expect(collection.error?.code).toBe('limit_exceeded');
    expect(collection.get('a')).toBeUndefined();
    collection.reload();
    await settled(collection, () => collection.status === 'ready');
    expect(collection.get('a')).toEqual({ sku: 'a', qty: 3 });
  });

  it('ignores the answer of a load that a reload overtook', async () => {
    const { client } = await setup();
    await client.connect();
    const answers: ((rows: Row[]) => void)[] = [];
    const collection = new LiveCollection<Row>(
      client,
      options(() => new Promise<Row[]>((resolve) => answers.push(resolve))),
    );
    cleanups.push(() => collection.stop());
    collection.start();
    // The load starts once the subscription is live: the `loading` status tells.
    await settled(collection, () => collection.status === 'loading');
    expect(answers).toHaveLength(1);
    collection.reload();
    expect(answers).toHaveLength(2);
    answers[1]?.([{ sku: 'new', qty: 2 }]);
    await settled(collection, () => collection.status === 'ready');
    answers[0]?.([{ sku: 'old', qty: 1 }]);
    await Promise.resolve();
    await Promise.resolve();
    expect(rows(collection)).toEqual([{ sku: 'new', qty: 2 }]);
  });

  it('shows a failed load as an error and recovers on reload', async () => {
    const { client } = await setup();
    await client.connect();
    let fail = true;
    const collection = new LiveCollection<Row>(
      client,
      options(() =>
        fail ? Promise.reject(new Error('rest down')) : Promise.resolve([{ sku: 'a', qty: 1 }]),
      ),
    );
    cleanups.push(() => collection.stop());
    collection.start();
    await settled(collection, () => collection.status === 'error');
    expect(collection.error).toMatchObject({
      code: 'internal',
      message: 'snapshot load failed: rest down',
    });
    fail = false;
    collection.reload();
    await settled(collection, () => collection.status === 'ready');
    expect(collection.error).toBeUndefined();
    expect(collection.size).toBe(1);
  });

  it('shows a refused subscription as an error', async () => {
    const { client } = await setup();
    await client.connect();
    const collection = new LiveCollection<Row>(client, {
      ...options(() => Promise.resolve([])),
      channel: 'user.bob.items',
    });
    cleanups.push(() => collection.stop());
    collection.start();
    await settled(collection, () => collection.status === 'error');
    expect(collection.error?.code).toBe('forbidden');
  });

  it('reloads after a reset (the cursor could not be placed) and keeps following', async () => {
    const port = await freePort();
    const first = await startTestNode({ port });
    let firstRunning = true;
    cleanups.push(async () => {
      if (firstRunning) await first.stop();
    });
    const client = new HubcastClient({
      url: first.wsUrl,
      token: await first.token({ sub: 'alice', org: ORG }),
      WebSocket,
      ...FAST_BACKOFF,
    });
    cleanups.push(() => client.disconnect());
    let stock: Row[] = [{ sku: 'a', qty: 1 }];
    let loads = 0;
    const collection = new LiveCollection<Row>(
      client,
      options(() => {
        loads++;
        return Promise.resolve(stock);
      }),
    );
    cleanups.push(() => collection.stop());
    collection.start();
    await client.connect();
    await settled(collection, () => collection.status === 'ready');

    const dropped = waitFor(client, 'disconnected');
    await first.stop();
    firstRunning = false;
    await dropped;
    expect(collection.isLive).toBe(false);
    stock = [
      { sku: 'a', qty: 4 },
      { sku: 'z', qty: 8 },
    ]; // changed while the client was away
    const reset = waitFor(client, 'reset');
    const second = await startTestNode({ port }); // a fresh log: the old cursor cannot be placed
    cleanups.push(() => second.stop());
    await reset;
    await settled(collection, () => loads === 2 && collection.status === 'ready');
    expect(rows(collection)).toEqual(stock);
    expect(collection.isLive).toBe(true);

    const api = new ServerClient({ url: second.httpUrl, apiKey: second.adminKey, org: ORG });
    await api.publish({ channel: 'inventory.z', data: { type: 'gone', sku: 'z' } });
    await until(client, 'event', () => collection.size === 1);
    expect(rows(collection)).toEqual([{ sku: 'a', qty: 4 }]);
  });
});

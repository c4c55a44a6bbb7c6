// A `presence` reply on a channel of 10,000 members on the Redis engine: the capped page
// (RedisPresence.membersPage, the order zset) against reading every entry (members(), what the
// reply did before the cap). A micro-benchmark of one engine call against a local redis-server;
// the figures go to docs/presence.md "Member cap".
//   npx tsc -b && node bench/micro/presence-page.mjs [members] [rounds]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { RedisPresence } from '../../packages/server/dist/presence/redis.js';

const memberCount = Number(process.argv[2] ?? 10_000);
const rounds = Number(process.argv[3] ?? 50);
const port = 20_000 + Math.floor(Math.random() * 20_000);
const dir = mkdtempSync(join(tmpdir(), 'hubcast-presence-page-'));
const server = spawn('redis-server', ['--port', String(port), '--save', '', '--dir', dir]);
await new Promise((resolve, reject) => {
  let out = '';
  server.stdout.on('data', (chunk) => {
    out += chunk;
    if (out.includes('Ready to accept connections')) resolve();
  });
  server.once('exit', () => reject(new Error(`redis-server exited:\n${out}`)));
});
const url = `redis://127.0.0.1:${port}`;
const probe = new Redis(url);

const presence = new RedisPresence({
  redis: new Redis(url, { lazyConnect: true }),
  prefix: 'bench',
  nodeId: 'bench',
  nodeTtlMs: 60_000,
});
await presence.startHeartbeat({ onExpired() {}, onRestored() {} });
const info = { name: 'A user name', avatar: 'https://example.com/avatars/123456.png' };
for (let i = 0; i < memberCount; i += 500) {
  const batch = [];
  for (let j = i; j < Math.min(i + 500, memberCount); j++)
    batch.push(presence.add('acme', 'room', `s${j}`, { user: `user-${j}`, info, device: 'web' }));
  await Promise.all(batch);
}

/** Wall time per call here, and Redis's own time per command (commandstats). */
async function measure(name, call, command) {
  await call(); // warm
  await probe.config('RESETSTAT');
  const times = [];
  let bytes = 0;
  let result;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    result = await call();
    times.push(performance.now() - t0);
  }
  bytes = Buffer.byteLength(JSON.stringify(result));
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  const p95 = times[Math.floor(times.length * 0.95)];
  const stat = (await probe.info('commandstats'))
    .split('\n')
    .find((l) => l.startsWith(`cmdstat_${command}:`));
  const usec = Number(/usec=(\d+)/.exec(stat ?? '')?.[1] ?? NaN);
  console.log(
    `${name.padEnd(38)} median ${median.toFixed(2)} ms  p95 ${p95.toFixed(2)} ms  ` +
      `redis ${(usec / rounds / 1000).toFixed(2)} ms/call (${command})  reply ${bytes} bytes`,
  );
  return result;
}

console.log(`${memberCount} members on one channel, ${rounds} rounds, redis-server on 127.0.0.1`);
const page = await measure(
  'membersPage(100): order zset',
  () => presence.membersPage('acme', 'room', 100),
  'evalsha',
);
console.log(`  -> ${page.members.length} members listed, count ${page.count}`);
// What the order index costs in Redis memory, next to the entries it orders.
const usage = async (key) => Number(await probe.memory('USAGE', key, 'SAMPLES', '0'));
const [entriesBytes, orderBytes] = await Promise.all([
  usage('bench:{acme}:presence:room'),
  usage('bench:{acme}:presence-order:room'),
]);
console.log(`  memory: entries hash ${entriesBytes} bytes, order zset ${orderBytes} bytes`);
await measure('members(): every entry', () => presence.members('acme', 'room'), 'hgetall');

await presence.close();
probe.disconnect();
server.kill();
rmSync(dir, { recursive: true, force: true });

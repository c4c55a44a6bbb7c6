/**
 * The attack suite (attack-suite.test.ts) against a cluster node: the same seeded attacks and
 * the same checks, with its log, broker and presence in a real redis-server.
 */
import { afterAll } from 'vitest';
import { startRedis } from '../helpers/redis.js';

const redis = await startRedis();
process.env['HUBCAST_ABUSE_REDIS_URL'] = redis.url;
afterAll(async () => {
  // Workers run other files after this one: they must get the embedded engine again.
  delete process.env['HUBCAST_ABUSE_REDIS_URL'];
  await redis.stop();
});
await import('./attack-suite.test.js');

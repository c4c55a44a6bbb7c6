/**
 * A generator process of its own (remote-pool.ts): a LoadPool with its worker threads, driven
 * by the parent over IPC. It exits when the parent closes the channel or goes away.
 */
import { LoadPool } from './pool.js';
import { POOL_WORKERS_ENV, type PoolReply, type PoolRequest } from './remote-pool.js';

const pool = LoadPool.start(Number(process.env[POOL_WORKERS_ENV] ?? '2'));
const reply = (msg: PoolReply): void => {
  if (process.connected) process.send?.(msg);
};

async function answer(req: PoolRequest): Promise<PoolReply> {
  switch (req.type) {
    case 'connect': {
      const result = await pool.connect(req.total, req.spec, (ready, failed) =>
        reply({ type: 'progress', ready, failed }),
      );
      return { id: req.id, type: 'ramped', result };
    }
    case 'begin':
      await pool.begin();
      return { id: req.id, type: 'done' };
    case 'end':
      return { id: req.id, type: 'ended', result: await pool.end(req.lastSeq, req.waitMs) };
    case 'disconnect':
      await pool.disconnect();
      return { id: req.id, type: 'done' };
    case 'cpu': {
      // Worker threads included: a process's CPU is all its threads'.
      const { user, system } = process.cpuUsage();
      return { id: req.id, type: 'cpu', micros: user + system };
    }
    default: {
      const never: never = req;
      throw new Error(`unknown pool request ${JSON.stringify(never)}`);
    }
  }
}

process.on('message', (req: PoolRequest) => {
  answer(req).then(reply, (err: unknown) =>
    reply({ id: req.id, type: 'error', message: (err as Error).message }),
  );
});
process.on('disconnect', () => {
  void pool.close().finally(() => process.exit(0));
});

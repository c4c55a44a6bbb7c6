import { describe, expect, it } from 'vitest';
import { Lease } from './lease.js';

/** A target that records its calls. */
function recorder(): { log: string[]; start(): void; stop(): void } {
  const log: string[] = [];
  return { log, start: () => log.push('start'), stop: () => log.push('stop') };
}
const tick = (): Promise<void> => new Promise((resolve) => queueMicrotask(resolve));

describe('Lease', () => {
  it.each([
    // StrictMode: mount, simulated unmount, remount, all in one task: one start, no stop.
    { name: 'acquire, release, acquire', steps: ['a', 'r0', 'a'], log: ['start'], count: 1 },
    { name: 'acquire then release', steps: ['a', 'r0'], log: ['start', 'stop'], count: 0 },
    { name: 'two holders, one leaves', steps: ['a', 'a', 'r0'], log: ['start'], count: 1 },
    {
      name: 'two holders, both leave',
      steps: ['a', 'a', 'r1', 'r0'],
      log: ['start', 'stop'],
      count: 0,
    },
    // A release called twice counts once: the other holder keeps it running.
    { name: 'double release', steps: ['a', 'a', 'r0', 'r0'], log: ['start'], count: 1 },
  ])('$name', async ({ steps, log, count }) => {
    const target = recorder();
    const lease = new Lease(target);
    const releases: (() => void)[] = [];
    for (const step of steps) {
      if (step === 'a') releases.push(lease.acquire());
      else releases[Number(step.slice(1))]?.();
    }
    await tick();
    expect(target.log).toEqual(log);
    expect(lease.count).toBe(count);
  });

  it('starts again after a stop has run', async () => {
    const target = recorder();
    const lease = new Lease(target);
    lease.acquire()();
    await tick();
    lease.acquire();
    expect(target.log).toEqual(['start', 'stop', 'start']);
  });
});

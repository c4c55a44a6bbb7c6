/**
 * Child processes the generator started (targets, `redis-server`) die with it, whatever the
 * path out: an `exit` hook SIGKILLs every one still running, so a crashed or interrupted
 * bench leaves no orphan holding a port.
 */
import type { ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();
const cleanups = new Map<ChildProcess, () => void>();
let hooked = false;

/**
 * Kills `child` when this process exits, then runs `cleanup` (synchronous: the `exit` hook
 * cannot wait); both are forgotten once the child exits on its own.
 */
export function reapOnExit(child: ChildProcess, cleanup?: () => void): void {
  if (!hooked) {
    hooked = true;
    process.on('exit', () => {
      for (const c of live) c.kill('SIGKILL');
      for (const fn of cleanups.values()) fn();
    });
  }
  live.add(child);
  if (cleanup !== undefined) cleanups.set(child, cleanup);
  child.once('exit', () => {
    live.delete(child);
    cleanups.delete(child);
  });
}

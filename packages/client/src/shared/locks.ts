/**
 * Web Locks, typed narrowly (the DOM lib's `LockManager` is not in every lib setting), and the
 * per-tab lock that tells a hub when a tab is gone: held for the tab's life, released by the
 * browser when the tab closes or crashes, where a port's `close` is not reliable.
 */
export interface LockManagerLike {
  request(name: string, callback: () => unknown): Promise<unknown>;
  request(
    name: string,
    options: { signal?: AbortSignal },
    callback: () => unknown,
  ): Promise<unknown>;
}

export function platformLocks(): LockManagerLike | undefined {
  const nav = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator;
  return typeof nav?.locks?.request === 'function' ? nav.locks : undefined;
}

export const tabLockName = (tab: string): string => `hubcast:tab:${tab}`;

/** Takes the tab's lock and keeps it until `signal` aborts (or the tab dies); resolves once held. */
export function holdTabLock(
  locks: LockManagerLike,
  tab: string,
  signal: AbortSignal,
): Promise<void> {
  return new Promise((held) => {
    locks
      .request(tabLockName(tab), () => {
        held();
        return new Promise<void>((release) => signal.addEventListener('abort', () => release()));
      })
      .catch(() => held());
  });
}

/** Calls `gone` once the tab's lock is free: the tab closed (or said bye). */
export function watchTabLock(
  locks: LockManagerLike,
  tab: string,
  signal: AbortSignal,
  gone: () => void,
): void {
  locks.request(tabLockName(tab), { signal }, () => gone()).catch(() => undefined);
}

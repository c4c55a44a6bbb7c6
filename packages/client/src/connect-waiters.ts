import { unavailable, type HubcastError } from '@hubcast/protocol';

interface Waiter {
  resolve(): void;
  reject(error: HubcastError): void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** Callers of `connect()` and commands issued while connecting, waiting for `connected`. */
export class ConnectWaiters {
  private waiters: Waiter[] = [];

  /** Resolves at the next `connected`; `timeoutMs` 0 waits as long as the client tries. */
  wait(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = { resolve, reject, timer: undefined };
      if (timeoutMs > 0)
        waiter.timer = setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(unavailable(`not connected within ${timeoutMs} ms`));
        }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  /**
   * Takes every waiter now and returns a function that settles them later: a listener run in
   * between may call `connect()` again, and its new waiter must not be settled with the old.
   */
  take(): (error?: HubcastError) => void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) if (w.timer !== undefined) clearTimeout(w.timer);
    return (error) => {
      for (const w of waiters) {
        if (error === undefined) w.resolve();
        else w.reject(error);
      }
    };
  }
}

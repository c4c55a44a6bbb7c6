/**
 * Reference counting for the SDK's startable views, so React's StrictMode double effects
 * (subscribe, unsubscribe, subscribe) leave exactly one live subscription and the last
 * unsubscribe leaves none. The stop after the last release waits one microtask: StrictMode
 * re-subscribes synchronously, so it cancels the stop and the server never sees the churn.
 */
import type { View } from '@hubcast/client';

/** What a lease starts on first use and stops after last use. */
export interface Startable {
  start(): unknown;
  stop(): void;
}

/** Starts `target` while it has holders; stops it (a microtask later) when it has none. */
export class Lease {
  private holders = 0;
  private isStopPending = false;

  constructor(private readonly target: Startable) {}

  /** Takes a hold; the returned function lets go (calling it twice counts once). */
  acquire(): () => void {
    this.holders++;
    if (this.holders === 1) {
      if (this.isStopPending) this.isStopPending = false;
      else this.target.start();
    }
    let isReleased = false;
    return () => {
      if (isReleased) return;
      isReleased = true;
      this.holders--;
      if (this.holders > 0) return;
      this.isStopPending = true;
      queueMicrotask(() => {
        if (!this.isStopPending) return;
        this.isStopPending = false;
        this.target.stop();
      });
    };
  }

  /** How many hold it now. */
  get count(): number {
    return this.holders;
  }
}

/** A view whose listeners hold a lease: the view runs while anyone listens. */
export function leasedView<S>(view: View<S> & Startable): View<S> {
  const lease = new Lease(view);
  return {
    subscribe(listener) {
      const off = view.subscribe(listener);
      const release = lease.acquire();
      return () => {
        off();
        release();
      };
    },
    getSnapshot: () => view.getSnapshot(),
  };
}

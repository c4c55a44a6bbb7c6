/** Awaiting a View (`subscribe` + `getSnapshot`) instead of sleeping (STYLE rule 17). */
import type { View } from '../../src/index.js';

/** Resolves with the snapshot once `check` holds, re-checking on every change of the view. */
export function viewUntil<S>(
  view: View<S>,
  check: (snapshot: S) => boolean,
  what = 'the view',
  timeoutMs = 10_000,
): Promise<S> {
  return new Promise((resolve, reject) => {
    const first = view.getSnapshot();
    if (check(first)) return resolve(first);
    const timer = setTimeout(() => {
      off();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    const off = view.subscribe(() => {
      const snapshot = view.getSnapshot();
      if (!check(snapshot)) return;
      clearTimeout(timer);
      off();
      resolve(snapshot);
    });
  });
}

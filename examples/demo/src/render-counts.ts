/**
 * Test hook, dev build only: how many times each row rendered, as `window.__renderCounts`
 * (sku to count). A production build drops it (`import.meta.env.DEV` is false there).
 */
type Counts = Record<string, number>;

const counts: Counts | undefined = import.meta.env.DEV ? {} : undefined;
if (counts !== undefined) Object.assign(window, { __renderCounts: counts });

/** Counts one render of `key` (no-op in production). */
export function countRender(key: string): void {
  if (counts !== undefined) counts[key] = (counts[key] ?? 0) + 1;
}

/**
 * The tab's cursor in sessionStorage (per tab, kept across reloads), so a reloaded tab resumes
 * where it was. Storage may be missing or blocked: then there is only no resume after a reload.
 */
function storage(): Storage | undefined {
  try {
    return typeof sessionStorage === 'object' ? sessionStorage : undefined;
  } catch {
    return undefined; // blocked by the browser's settings
  }
}

export function readCursor(key: string | undefined): string | undefined {
  if (key === undefined) return undefined;
  const value = storage()?.getItem(key);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export function writeCursor(key: string | undefined, cursor: string): void {
  if (key === undefined) return;
  try {
    storage()?.setItem(key, cursor);
  } catch {
    // A full storage costs only the resume after a reload.
  }
}

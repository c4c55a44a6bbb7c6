/**
 * The process's open-files limit, which bounds how many sockets a node can hold: past it,
 * accepts fail and the log cannot open a file. Read from /proc (Linux); undefined elsewhere.
 */
import { readFileSync } from 'node:fs';

export function openFilesLimit(limitsText?: string): number | undefined {
  let text = limitsText;
  if (text === undefined) {
    try {
      text = readFileSync('/proc/self/limits', 'utf8');
    } catch {
      return undefined;
    }
  }
  const soft = /^Max open files\s+(\d+|unlimited)/m.exec(text)?.[1];
  if (soft === undefined || soft === 'unlimited') return undefined;
  return Number(soft);
}

/** Files kept for everything but client sockets: log, store, HTTP API calls, engines. */
export const RESERVED_FILES = 256;

/** `--max-connections` when not given: what the open-files limit leaves (0: no limit known). */
export function defaultMaxConnections(limit: number | undefined): number {
  return limit === undefined ? 0 : Math.max(1, limit - RESERVED_FILES);
}

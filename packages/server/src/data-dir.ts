/**
 * The data dir the SQLite log and store live in: created when missing, proven writable once
 * before anything opens a file there, so a bad `--data-dir` fails at start with a sentence
 * instead of a SQLite error (or a hang) later.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export class DataDirError extends Error {
  constructor(
    readonly dir: string,
    why: string,
    options?: { cause: unknown },
  ) {
    super(`data dir ${dir}: ${why}`, options);
    this.name = 'DataDirError';
  }
}

/**
 * `mkdir -p` that always ends. Node's `mkdirSync(dir, { recursive: true })` (and the async
 * one) reads ENOENT as "the parent is missing", creates the parent (EEXIST: fine) and tries
 * the child again, forever, when the file system answers ENOENT although the parent exists:
 * procfs does, so `--data-dir /proc/x` spun at 100% CPU. Here each missing level is created
 * once, from the first ancestor that exists down, and any error is final.
 */
export function makeDirectory(dir: string): void {
  const missing: string[] = [];
  for (let at = resolve(dir); !existsSync(at); at = dirname(at)) {
    missing.unshift(at);
    if (dirname(at) === at) break;
  }
  for (const level of missing) {
    try {
      mkdirSync(level);
    } catch (err) {
      // Another process made it meanwhile: fine when it is a directory.
      if (!(isCode(err, 'EEXIST') && isDirectory(level))) throw err;
    }
  }
}

/** Creates `dir` when missing and proves a file can be created in it; throws DataDirError. */
export function ensureDataDir(dir: string): void {
  try {
    makeDirectory(dir);
  } catch (err) {
    throw new DataDirError(dir, `cannot create it (${describeFsError(err)})`, { cause: err });
  }
  if (!statSync(dir).isDirectory()) throw new DataDirError(dir, 'it is a file, not a directory');
  // A real file, not access(W_OK): root passes every permission check, and a read-only mount
  // or a special file system only shows when something is created.
  const probe = join(dir, `.hubcast-probe-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    writeFileSync(probe, '', { flag: 'wx' });
  } catch (err) {
    throw new DataDirError(dir, `cannot create a file in it (${describeFsError(err)})`, {
      cause: err,
    });
  }
  rmSync(probe, { force: true });
}

/** `ENOENT: no such file or directory`: Node's message without the syscall and path it repeats. */
function describeFsError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const text = err.message.replace(/, \w+ '.*'$/s, '');
  // procfs and sysfs refuse new entries with ENOENT, which reads as if a parent were missing.
  return isCode(err, 'ENOENT') ? `${text}: the file system takes no new entries there` : text;
}

/** False for a dangling symlink too, whose mkdir says EEXIST. */
function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function isCode(err: unknown, code: string): boolean {
  return (err as { code?: unknown } | null)?.code === code;
}

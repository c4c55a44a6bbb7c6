/** Waiting on what a child process prints. */
import type { ChildProcess, ChildProcessWithoutNullStreams } from 'node:child_process';

/** Resolves with stdout once `pattern` shows up in it; rejects with all output if it exits first. */
export function outputUntil(
  child: ChildProcessWithoutNullStreams,
  pattern: RegExp,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (pattern.test(out)) resolve(out);
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('exit', (code) => reject(new Error(`exited ${code} before ${pattern}: ${out}${err}`)));
  });
}

/**
 * Resolves once `text` shows up in what a server process logs (stdout and stderr, whichever are
 * piped); rejects with the log when it exits first, and with the error when it cannot be spawned
 * (an 'error' event without 'exit', which unhandled would crash the run). Afterwards its output
 * is still read, so a chatty server never blocks on a full pipe.
 */
export function untilLogLine(proc: ChildProcess, text: string, name: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const streams = [proc.stdout, proc.stderr].filter((s) => s !== null);
    let log = '';
    const onLog = (chunk: Buffer): void => {
      log = (log + chunk.toString()).slice(-4000);
      if (!log.includes(text)) return;
      for (const stream of streams) {
        stream.off('data', onLog);
        stream.resume();
      }
      proc.off('exit', onEarlyExit);
      resolve();
    };
    const onEarlyExit = (code: number | null): void =>
      reject(new Error(`${name} exited with ${code} before it was ready: ${log.trim()}`));
    for (const stream of streams) stream.on('data', onLog);
    proc.once('exit', onEarlyExit);
    proc.once('error', reject);
  });
}

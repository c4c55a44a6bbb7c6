/** Waiting on what a child process prints. */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';

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

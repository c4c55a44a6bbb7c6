/**
 * The ramp's progress line on stderr: `connecting hubcast  [#####.....] 5000/10000  2400/s`.
 * Redrawn in place on a terminal; on a pipe (CI logs) only the final line is printed.
 */
const WIDTH = 30;
const REDRAW_EVERY_MS = 100;

export class ProgressBar {
  private readonly startedMs = performance.now();
  private lastDrawMs = 0;
  private ready = 0;
  private failed = 0;

  constructor(
    private readonly label: string,
    private readonly total: number,
    private readonly out: NodeJS.WriteStream = process.stderr,
  ) {}

  update(ready: number, failed: number): void {
    this.ready = ready;
    this.failed = failed;
    const now = performance.now();
    if (!this.out.isTTY || now - this.lastDrawMs < REDRAW_EVERY_MS) return;
    this.lastDrawMs = now;
    this.out.write(`\r${this.line()}\x1b[K`);
  }

  done(ready: number, failed: number): void {
    this.ready = ready;
    this.failed = failed;
    this.out.write(this.out.isTTY ? `\r${this.line()}\x1b[K\n` : `${this.line()}\n`);
  }

  line(): string {
    return formatProgress(
      this.label,
      this.ready,
      this.failed,
      this.total,
      performance.now() - this.startedMs,
    );
  }
}

/** The progress line itself, pure for tests. */
export function formatProgress(
  label: string,
  ready: number,
  failed: number,
  total: number,
  elapsedMs: number,
): string {
  const filled = total === 0 ? WIDTH : Math.min(WIDTH, Math.floor((ready / total) * WIDTH));
  const bar = '#'.repeat(filled) + '.'.repeat(WIDTH - filled);
  const rate = elapsedMs > 0 ? Math.round((ready / elapsedMs) * 1000) : 0;
  const fails = failed > 0 ? `  ${failed} failed` : '';
  return `${label.padEnd(20)} [${bar}] ${ready}/${total}  ${rate}/s${fails}`;
}

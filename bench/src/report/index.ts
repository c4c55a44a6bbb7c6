/**
 * The bench report: `<dir>/<runId>.json` (every figure) and `<dir>/<runId>.html` (charts),
 * plus `latest.json` and `latest.html` copies of the newest run.
 */
import { copyFile, mkdir, rename, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { BenchRun } from '../results.js';
import { renderReportHtml } from './html.js';

export { renderReportHtml } from './html.js';
export { GOALS, VARIANT_GOALS, checkGoal, evaluateGoals, evaluateVariantGoals } from './goals.js';
export type {
  GoalBound,
  GoalCell,
  GoalRow,
  GoalStatus,
  PeerName,
  VariantGoalCell,
  VariantGoalRow,
} from './goals.js';

/** Run ids become file names: letters, digits, `.`, `_` and `-`, and not `latest`. */
const RUN_ID = /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,200}$/;

/**
 * Writes the run's JSON and HTML report into `dir` (created if needed) and refreshes the
 * `latest.*` copies, each replaced atomically so a reader never sees half a file.
 * Returns the absolute paths of the run's own two files.
 */
export async function writeReport(
  run: BenchRun,
  dir: string,
): Promise<{ jsonPath: string; htmlPath: string }> {
  if (!RUN_ID.test(run.runId) || run.runId === 'latest') {
    throw new Error(
      `bench report: run id ${JSON.stringify(run.runId)} cannot name a file (use letters, digits, '.', '_', '-', not 'latest')`,
    );
  }
  const root = resolve(dir);
  await mkdir(root, { recursive: true });
  const jsonPath = join(root, `${run.runId}.json`);
  const htmlPath = join(root, `${run.runId}.html`);
  await writeFile(jsonPath, `${JSON.stringify(run, null, 2)}\n`);
  await writeFile(htmlPath, renderReportHtml(run));
  await replaceWithCopy(jsonPath, join(root, 'latest.json'));
  await replaceWithCopy(htmlPath, join(root, 'latest.html'));
  return { jsonPath, htmlPath };
}

async function replaceWithCopy(from: string, to: string): Promise<void> {
  const tmp = `${to}.${process.pid}.tmp`;
  await copyFile(from, tmp);
  await rename(tmp, to);
}

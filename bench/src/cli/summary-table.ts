/**
 * The compact table printed at the end of a run: headline medians per target, and ratios; a
 * scenario that compares hubcast configurations (`durable`) gets a row per configuration and
 * its ratio below the table.
 */
import { formatBound, formatRatioAgainst, VARIANT_GOALS, checkGoal } from '../report/goals.js';
import { formatRatio, formatValue, humanizeMetric, unitOfMetric } from '../report/format.js';
import type { BenchRun, ScenarioResult, TargetFigures, TargetName } from '../results.js';

const COLUMNS: readonly TargetName[] = ['hubcast', 'ws', 'socketio'];

export function summaryTable(run: BenchRun): string {
  const rows: string[][] = [['', 'metric', ...COLUMNS, 'hubcast/ws', 'hubcast/socketio']];
  for (const sc of run.scenarios) {
    const metric = sc.headline.metric;
    const unit = unitOfMetric(metric);
    const cell = (t: TargetFigures | undefined): string => {
      if (t === undefined) return '';
      const lossy = t.lost > 0 || t.duplicated > 0;
      const expected = sc.lossExpected?.includes(t.target) === true;
      const flags = (lossy ? (expected ? ' ~' : ' !') : '') + (t.generatorBound ? ' *' : '');
      return formatValue(t.median[metric], unit) + flags;
    };
    if (sc.targets.some((t) => t.variant !== undefined)) {
      for (const t of sc.targets)
        rows.push([sc.id, `${humanizeMetric(metric)} · ${t.variant ?? t.target}`, cell(t)]);
      continue;
    }
    const ratio = (peer: 'ws' | 'socketio'): string => {
      const r = run.ratios[sc.id]?.[peer];
      return r === undefined ? '' : formatRatio(r);
    };
    rows.push([
      sc.id,
      humanizeMetric(metric),
      ...COLUMNS.map((name) => cell(sc.targets.find((x) => x.target === name))),
      ratio('ws'),
      ratio('socketio'),
    ]);
  }
  const widths = (rows[0] ?? []).map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const lines = rows.map((r) =>
    r
      .map((cell, c) => cell.padEnd(widths[c] ?? 0))
      .join('  ')
      .trimEnd(),
  );
  lines.push(...variantRatioLines(run, run.scenarios));
  lines.push(
    '(! lost or duplicated deliveries, ratio left out; ~ the same, expected: no resume; * generator-bound)',
  );
  return lines.join('\n');
}

/** `durable: sqlite / memory 0.93x (goal ≥ 0.5x ✓)`. */
function variantRatioLines(run: BenchRun, scenarios: readonly ScenarioResult[]): string[] {
  const lines: string[] = [];
  for (const sc of scenarios) {
    for (const r of run.variantRatios?.[sc.id] ?? []) {
      const goal = VARIANT_GOALS.find(
        (g) =>
          g.scenario === sc.id && g.numerator === r.numerator && g.denominator === r.denominator,
      );
      const verdict =
        goal === undefined
          ? ''
          : ` (goal ${formatBound(goal.bound)} ${checkGoal(r.ratio, goal.bound) === 'pass' ? '✓' : '✗'})`;
      lines.push(
        `${sc.id}: ${r.numerator} / ${r.denominator} ${formatRatioAgainst(r.ratio, goal?.bound)}${verdict}`,
      );
    }
  }
  return lines;
}

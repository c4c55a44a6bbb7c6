/**
 * The compact table printed at the end of a run: headline medians per target, and ratios; each
 * configuration of hubcast a scenario compares (`durable`'s logs, the Redis engine in W1) gets
 * a row of its own, and their ratios follow the table.
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
    const ratio = (peer: 'ws' | 'socketio'): string => {
      const r = run.ratios[sc.id]?.[peer];
      return r === undefined ? '' : formatRatio(r);
    };
    const plain = sc.targets.filter((t) => t.variant === undefined);
    if (plain.length > 0)
      rows.push([
        sc.id,
        humanizeMetric(metric),
        ...COLUMNS.map((name) => cell(plain.find((x) => x.target === name))),
        ratio('ws'),
        ratio('socketio'),
      ]);
    // A configuration's value sits in its target's column.
    for (const t of sc.targets) {
      if (t.variant === undefined) continue;
      const row = [sc.id, `${humanizeMetric(metric)} · ${t.variant}`];
      for (const name of COLUMNS) row.push(name === t.target ? cell(t) : '');
      rows.push(row);
    }
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

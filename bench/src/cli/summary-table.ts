/** The compact table printed at the end of a run: headline medians per target, and ratios. */
import { formatRatio, formatValue, humanizeMetric, unitOfMetric } from '../report/format.js';
import type { BenchRun, TargetName } from '../results.js';

const COLUMNS: readonly TargetName[] = ['hubcast', 'ws', 'socketio'];

export function summaryTable(run: BenchRun): string {
  const rows: string[][] = [['', 'metric', ...COLUMNS, 'hubcast/ws', 'hubcast/socketio']];
  for (const sc of run.scenarios) {
    const metric = sc.headline.metric;
    const unit = unitOfMetric(metric);
    const cells = COLUMNS.map((name) => {
      const t = sc.targets.find((x) => x.target === name);
      if (t === undefined) return '';
      const flags = (t.lost > 0 || t.duplicated > 0 ? ' !' : '') + (t.generatorBound ? ' *' : '');
      return formatValue(t.median[metric], unit) + flags;
    });
    const ratio = (peer: 'ws' | 'socketio'): string => {
      const r = run.ratios[sc.id]?.[peer];
      return r === undefined ? '' : formatRatio(r);
    };
    rows.push([sc.id, humanizeMetric(metric), ...cells, ratio('ws'), ratio('socketio')]);
  }
  const widths = (rows[0] ?? []).map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const lines = rows.map((r) =>
    r
      .map((cell, c) => cell.padEnd(widths[c] ?? 0))
      .join('  ')
      .trimEnd(),
  );
  lines.push('(! lost or duplicated deliveries, ratio left out; * generator-bound)');
  return lines.join('\n');
}

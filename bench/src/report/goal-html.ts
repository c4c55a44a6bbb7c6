/**
 * The report's goal table (hubcast / peer ratios, and the ratios within hubcast), the ratio
 * chart's rows and each scenario's ratio pills.
 */
import type { BenchRun } from '../results.js';
import { MISSING, escapeHtml as esc } from './format.js';
import { GOALS, PEERS, formatBound, formatRatioAgainst, goalFor } from './goals.js';
import type { GoalBound, GoalCell, GoalStatus, PeerName, VariantGoalCell } from './goals.js';
import { anchor, targetLabel } from './labels.js';
import { ratioChart, seriesClass } from './svg.js';
import type { RatioRow } from './svg.js';

const PEER_HEADING: Record<PeerName, string> = {
  ws: 'vs plain ws',
  socketio: 'vs Socket.IO',
};

/** The goal table card: a row per goal, a cell per peer (a ratio within hubcast spans both). */
export function renderGoals(
  run: BenchRun,
  cells: readonly GoalCell[],
  variantCells: readonly VariantGoalCell[],
): string {
  const statuses = [...cells, ...variantCells].map((c) => c.status);
  const count = (s: GoalStatus): number => statuses.filter((x) => x === s).length;
  const summary = [
    `<span class="pill pass">✓ ${count('pass')} met</span>`,
    `<span class="pill fail">✗ ${count('fail')} missed</span>`,
    count('missing') > 0 ? `<span class="pill muted">— ${count('missing')} no data</span>` : '',
  ].join('');
  const link = (scenario: string, label: string): string =>
    `<a href="#${anchor(scenario)}">${esc(label).replace(/`([^`]+)`/g, '<code>$1</code>')}</a>`;
  const rows = GOALS.map((goal) => {
    const tds = PEERS.map((peer) => {
      const cell = cells.find((c) => c.scenario === goal.scenario && c.peer === peer);
      return cell === undefined
        ? '<td>—</td>'
        : goalCell(`${cell.scenario}/${cell.peer}`, cell.bound, cell.ratio, cell.status);
    }).join('');
    return `<tr><td>${link(goal.scenario, goal.label)}</td>${tds}</tr>`;
  });
  // A ratio within hubcast spans both peer columns.
  for (const c of variantCells) {
    const key = `${c.goal.scenario}/${c.goal.numerator}:${c.goal.denominator}`;
    const td = goalCell(key, c.goal.bound, c.ratio, c.status, PEERS.length);
    rows.push(`<tr><td>${link(c.goal.scenario, c.goal.label)}</td>${td}</tr>`);
  }
  return `<section class="card goals" id="goals">
<div class="section-head"><h2>The goal</h2><div class="meta">${summary}</div></div>
<p class="sub">Ratios hubcast / peer of each scenario's headline median, measured in this run (the last rows: a ratio between two hubcast configurations). Absolute figures move between runs; ratios within one run hold.</p>
<table class="goal-table">
<thead><tr><th>metric</th>${PEERS.map((p) => `<th><span class="${seriesClass(p)}"><span class="swatch"></span></span>${esc(PEER_HEADING[p])}</th>`).join('')}</tr></thead>
<tbody>
${rows.join('\n')}
</tbody>
</table>
<figure class="ratio-figure">
<figcaption><h3>Ratios to the peers</h3><span class="hint">hubcast / peer · log scale · shaded: where the goal is met · green tick: the bound</span></figcaption>
${ratioChart({ title: 'hubcast / peer ratio of each headline metric', rows: ratioRows(run, cells), width: 1080 })}
</figure>
</section>`;
}

function goalCell(
  key: string,
  bound: GoalBound,
  ratio: number | undefined,
  status: GoalStatus,
  colspan = 1,
): string {
  const text = ratio === undefined ? MISSING : formatRatioAgainst(ratio, bound);
  const badge =
    status === 'pass'
      ? '<span class="badge pass">✓ pass</span>'
      : status === 'fail'
        ? '<span class="badge fail">✗ fail</span>'
        : '<span class="badge missing">no data</span>';
  const span = colspan > 1 ? ` colspan="${colspan}"` : '';
  return `<td class="goal ${status}"${span} data-goal="${esc(key)}" data-status="${status}"><span class="mark"><span class="bound">goal ${esc(formatBound(bound))}</span><span class="ratio">${esc(text)}</span>${badge}</span></td>`;
}

/** Rows of the ratio chart: every goal scenario, then every other scenario with ratios. */
function ratioRows(run: BenchRun, cells: readonly GoalCell[]): RatioRow[] {
  const ids: string[] = [];
  const add = (id: string): void => {
    if (!ids.includes(id)) ids.push(id);
  };
  for (const s of run.scenarios) {
    if (GOALS.some((g) => g.scenario === s.id) || run.ratios[s.id] !== undefined) add(s.id);
  }
  for (const g of GOALS) add(g.scenario);
  for (const id of Object.keys(run.ratios)) add(id);
  const order = (id: string): number => {
    const gi = GOALS.findIndex((g) => g.scenario === id);
    const si = run.scenarios.findIndex((s) => s.id === id);
    return gi >= 0 ? gi : GOALS.length + (si >= 0 ? si : run.scenarios.length);
  };
  ids.sort((a, b) => order(a) - order(b));
  const rows: RatioRow[] = [];
  for (const id of ids) {
    const scenario = run.scenarios.find((s) => s.id === id);
    const ratios = run.ratios[id] ?? {};
    const goalRow = GOALS.find((g) => g.scenario === id);
    const better =
      scenario?.headline.betterIs ??
      (goalRow === undefined ? undefined : goalRow.bounds.ws.op === '>=' ? 'higher' : 'lower');
    const title =
      goalRow !== undefined
        ? goalRow.label.replace(/^\S+\s+/, '').replace(/`/g, '')
        : (scenario?.title ?? '');
    const note =
      better === undefined
        ? undefined
        : better === 'higher'
          ? '↑ higher is better'
          : '↓ lower is better';
    for (const peer of PEERS) {
      const goal = goalFor(id, peer);
      const raw = ratios[peer];
      if (goal === undefined && raw === undefined) continue;
      const ratio = raw !== undefined && Number.isFinite(raw) ? raw : undefined;
      const row: RatioRow = {
        group: id,
        series: peer,
        label: `vs ${targetLabel(peer)}`,
        ratio,
        ratioText: ratio === undefined ? MISSING : formatRatioAgainst(ratio, goal),
      };
      if (note !== undefined) row.groupNote = note;
      if (title !== '') row.groupTitle = title;
      if (goal !== undefined) {
        row.goal = goal;
        row.status = cells.find((c) => c.scenario === id && c.peer === peer)?.status;
      }
      rows.push(row);
    }
  }
  return rows;
}

/** `hubcast vs ws: 0.88x · goal ≤ 1.1x ✓`: a scenario's ratios to the peers. */
export function scenarioRatioPills(run: BenchRun, id: string, cells: readonly GoalCell[]): string {
  const ratios = run.ratios[id];
  if (ratios === undefined) return '';
  const pills = PEERS.flatMap((peer) => {
    const raw = ratios[peer];
    if (raw === undefined) return [];
    const goal = goalFor(id, peer);
    const ratio = Number.isFinite(raw) ? raw : undefined;
    const status = cells.find((c) => c.scenario === id && c.peer === peer)?.status;
    const text = ratio === undefined ? MISSING : formatRatioAgainst(ratio, goal);
    const goalText =
      goal === undefined
        ? ''
        : ` · goal ${formatBound(goal)} ${status === 'pass' ? '✓' : status === 'fail' ? '✗' : ''}`;
    const cls = status === 'pass' ? ' pass' : status === 'fail' ? ' fail' : '';
    return [
      `<span class="pill${cls}">hubcast vs ${esc(targetLabel(peer))}: ${esc(text)}${esc(goalText)}</span>`,
    ];
  });
  return pills.length > 0 ? `<div class="ratios">${pills.join('')}</div>` : '';
}

/** `sqlite / memory: 0.93x · goal ≥ 0.5x ✓`: a scenario's ratios within hubcast. */
export function variantRatioPills(
  run: BenchRun,
  id: string,
  variantCells: readonly VariantGoalCell[],
): string {
  const pills = (run.variantRatios?.[id] ?? []).map((r) => {
    const cell = variantCells.find(
      (c) =>
        c.goal.scenario === id &&
        c.goal.numerator === r.numerator &&
        c.goal.denominator === r.denominator,
    );
    const bound = cell?.goal.bound;
    const text = Number.isFinite(r.ratio) ? formatRatioAgainst(r.ratio, bound) : MISSING;
    const mark = cell?.status === 'pass' ? '✓' : cell?.status === 'fail' ? '✗' : '';
    const goalText = bound === undefined ? '' : ` · goal ${formatBound(bound)} ${mark}`;
    const cls = cell?.status === 'pass' ? ' pass' : cell?.status === 'fail' ? ' fail' : '';
    return `<span class="pill${cls}">${esc(`${r.numerator} / ${r.denominator}: ${text}${goalText}`)}</span>`;
  });
  return pills.length > 0 ? `<div class="ratios">${pills.join('')}</div>` : '';
}

/**
 * The HTML report of one bench run: a single self-contained page (inline CSS and SVG, no
 * scripts, fonts or network) with the goal table, the ratios and one section per scenario.
 */
import type {
  BenchRun,
  LatencySummary,
  ScenarioResult,
  TargetFigures,
  TargetName,
} from '../results.js';
import {
  MISSING,
  escapeHtml as esc,
  formatBytes,
  formatCount,
  formatDate,
  formatElapsed,
  formatShare,
  formatValue,
  humanizeMetric,
  unitFromLabel,
  unitOfMetric,
} from './format.js';
import type { MetricUnit } from './format.js';
import { GOALS, PEERS, evaluateGoals, formatBound, formatRatioAgainst, goalFor } from './goals.js';
import type { GoalCell, GoalStatus, PeerName } from './goals.js';
import { STYLE } from './style.js';
import { groupedBarChart, percentileChart, ratioChart, seriesClass } from './svg.js';
import type { RatioRow } from './svg.js';

/** Targets in the order every chart and table shows them. */
export const TARGETS: readonly TargetName[] = ['hubcast', 'ws', 'socketio'];

const TARGET_LABEL: Record<TargetName, string> = {
  hubcast: 'hubcast',
  ws: 'ws',
  socketio: 'Socket.IO',
};

const PEER_HEADING: Record<PeerName, string> = {
  ws: 'vs plain ws',
  socketio: 'vs Socket.IO',
};

const PERCENTILES: readonly { key: keyof LatencySummary; label: string }[] = [
  { key: 'p50', label: 'p50' },
  { key: 'p90', label: 'p90' },
  { key: 'p99', label: 'p99' },
  { key: 'p999', label: 'p99.9' },
  { key: 'max', label: 'max' },
];

export const GENERATOR_BOUND_WARNING =
  'the load generator was the bottleneck: figures understate the target';

/** Renders the whole report page. Pure: the same run always gives the same HTML. */
export function renderReportHtml(run: BenchRun): string {
  const cells = evaluateGoals(run);
  const body = [
    renderHero(run),
    run.smoke ? renderSmokeNotice() : '',
    renderMachineAndSettings(run),
    renderGoals(run, cells),
    renderToc(run),
    ...run.scenarios.map((s) => renderScenario(run, s, cells)),
    renderFooter(run),
  ].join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${esc(`hubcast bench · ${run.runId}`)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

function targetLabel(target: string): string {
  return TARGET_LABEL[target as TargetName] ?? target;
}

function legend(targets: readonly string[] = TARGETS): string {
  return `<ul class="legend" aria-label="targets">${targets
    .map(
      (t) =>
        `<li class="${seriesClass(t)}"><span class="swatch"></span>${esc(targetLabel(t))}</li>`,
    )
    .join('')}</ul>`;
}

function renderHero(run: BenchRun): string {
  const elapsed = formatElapsed(run.startedAt, run.finishedAt);
  const pills = [
    run.smoke
      ? '<span class="pill smoke">smoke run</span>'
      : '<span class="pill full">full run</span>',
    `<span class="pill">${esc(formatDate(run.startedAt))}</span>`,
    elapsed === undefined ? '' : `<span class="pill">took ${esc(elapsed)}</span>`,
    `<span class="pill muted">${run.scenarios.length} scenario${run.scenarios.length === 1 ? '' : 's'}</span>`,
  ];
  return `<header class="hero">
<div>
<div class="eyebrow">hubcast bench · hubcast vs plain ws vs Socket.IO</div>
<h1>Run <span class="mono">${esc(run.runId)}</span></h1>
<div class="meta">${pills.join('')}</div>
</div>
${legend()}
</header>`;
}

function renderSmokeNotice(): string {
  return `<div class="alert smoke" role="note"><span class="icon">⚑</span><span>Smoke run: every scenario ran tiny, for CI. It checks that figures are produced and that every event arrived exactly once; its figures say nothing about speed.</span></div>
`;
}

function renderMachineAndSettings(run: BenchRun): string {
  const m = run.machine;
  const machine: [string, string][] = [
    ['CPU', m.cpuModel],
    ['Cores', formatCount(m.cpus)],
    ['Memory', formatBytes(m.memoryBytes)],
    ['Node', m.node],
    ['Platform', m.platform],
  ];
  const settings = Object.entries(run.settings).map(([k, v]): [string, string] => [
    k,
    typeof v === 'number' && Number.isInteger(v) && Math.abs(v) >= 10_000
      ? formatCount(v)
      : String(v),
  ]);
  const dl = (rows: [string, string][], cls: string): string =>
    rows.length === 0
      ? `<p class="sub">none</p>`
      : `<dl class="${cls}">${rows.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${esc(v)}</dd>`).join('')}</dl>`;
  return `<div class="grid2">
<section class="card"><h3>Machine</h3>${dl(machine, 'kv')}</section>
<section class="card"><h3>Settings</h3>${dl(settings, 'kv cols')}</section>
</div>`;
}

function renderGoals(run: BenchRun, cells: readonly GoalCell[]): string {
  const count = (s: GoalStatus): number => cells.filter((c) => c.status === s).length;
  const summary = [
    `<span class="pill pass">✓ ${count('pass')} met</span>`,
    `<span class="pill fail">✗ ${count('fail')} missed</span>`,
    count('missing') > 0 ? `<span class="pill muted">— ${count('missing')} no data</span>` : '',
  ].join('');
  const rows = GOALS.map((goal) => {
    const label = esc(goal.label).replace(/`([^`]+)`/g, '<code>$1</code>');
    const tds = PEERS.map((peer) => {
      const cell = cells.find((c) => c.scenario === goal.scenario && c.peer === peer);
      return cell === undefined ? '<td>—</td>' : goalCell(cell);
    }).join('');
    return `<tr><td><a href="#${anchor(goal.scenario)}">${label}</a></td>${tds}</tr>`;
  }).join('\n');
  return `<section class="card goals" id="goals">
<div class="section-head"><h2>The goal</h2><div class="meta">${summary}</div></div>
<p class="sub">Ratios hubcast / peer of each scenario's headline median, measured in this run. Absolute figures move between runs; ratios within one run hold.</p>
<table class="goal-table">
<thead><tr><th>metric</th>${PEERS.map((p) => `<th><span class="${seriesClass(p)}"><span class="swatch"></span></span>${esc(PEER_HEADING[p])}</th>`).join('')}</tr></thead>
<tbody>
${rows}
</tbody>
</table>
<figure class="ratio-figure">
<figcaption><h3>Ratios to the peers</h3><span class="hint">hubcast / peer · log scale · shaded: where the goal is met · green tick: the bound</span></figcaption>
${ratioChart({ title: 'hubcast / peer ratio of each headline metric', rows: ratioRows(run, cells), width: 1080 })}
</figure>
</section>`;
}

function goalCell(cell: GoalCell): string {
  const ratio = cell.ratio === undefined ? MISSING : formatRatioAgainst(cell.ratio, cell.bound);
  const badge =
    cell.status === 'pass'
      ? '<span class="badge pass">✓ pass</span>'
      : cell.status === 'fail'
        ? '<span class="badge fail">✗ fail</span>'
        : '<span class="badge missing">no data</span>';
  return `<td class="goal ${cell.status}" data-goal="${esc(`${cell.scenario}/${cell.peer}`)}" data-status="${cell.status}"><span class="mark"><span class="bound">goal ${esc(formatBound(cell.bound))}</span><span class="ratio">${esc(ratio)}</span>${badge}</span></td>`;
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

function renderToc(run: BenchRun): string {
  if (run.scenarios.length === 0) return '';
  const links = run.scenarios.map((s) => {
    const flags = [
      s.targets.some((t) => t.lost > 0 || t.duplicated > 0)
        ? '<span class="fail" title="lost or duplicated deliveries">✗</span>'
        : '',
      s.targets.some((t) => t.generatorBound)
        ? '<span class="warn" title="generator-bound">⚠</span>'
        : '',
    ].join('');
    return `<a href="#${anchor(s.id)}"><span class="pill"><b>${esc(s.id)}</b>${esc(truncate(s.title, 40))}${flags}</span></a>`;
  });
  return `<nav class="toc" aria-label="scenarios">${links.join('')}</nav>`;
}

function sortedTargets(s: ScenarioResult): TargetFigures[] {
  const rank = (t: string): number => {
    const i = TARGETS.indexOf(t as TargetName);
    return i >= 0 ? i : TARGETS.length;
  };
  return [...s.targets].sort((a, b) => rank(a.target) - rank(b.target));
}

function renderScenario(run: BenchRun, s: ScenarioResult, cells: readonly GoalCell[]): string {
  const targets = sortedTargets(s);
  const headUnit = unitFromLabel(s.headline.unit, s.headline.metric);
  const fmtHead = (v: number): string => formatValue(v, headUnit);
  const headName = humanizeMetric(s.headline.metric);
  const rounds = Math.max(0, ...targets.map((t) => t.rounds.length));
  const chips = [
    `<span class="pill">${esc(formatCount(s.connections))} connections</span>`,
    `<span class="pill">${esc(formatBytes(s.payloadBytes))} payload</span>`,
    `<span class="pill muted">${rounds} round${rounds === 1 ? '' : 's'}</span>`,
  ].join('');

  const alerts: string[] = [];
  const bound = targets.filter((t) => t.generatorBound);
  if (bound.length > 0) {
    const who = bound
      .map(
        (t) =>
          `<strong>${esc(targetLabel(t.target))}</strong> (generator CPU ${esc(formatShare(t.generatorCpu))})`,
      )
      .join(', ');
    alerts.push(
      `<div class="alert generator-bound" role="alert"><span class="icon">⚠</span><span>${who}: ${esc(GENERATOR_BOUND_WARNING)}.</span></div>`,
    );
  }
  const lossy = targets.filter((t) => t.lost > 0 || t.duplicated > 0);
  if (lossy.length > 0) {
    const who = lossy
      .map(
        (t) =>
          `<strong>${esc(targetLabel(t.target))}</strong> lost ${esc(formatCount(t.lost))} and duplicated ${esc(formatCount(t.duplicated))}`,
      )
      .join('; ');
    alerts.push(
      `<div class="alert bad loss" role="alert"><span class="icon">✗</span><span>${who} deliveries: every event must arrive exactly once.</span></div>`,
    );
  }

  const bar = groupedBarChart({
    title: `${s.id} ${headName} per target`,
    format: fmtHead,
    binary: headUnit.kind === 'bytes',
    groups: [
      {
        label: headName,
        bars: targets.map((t) => ({
          series: t.target,
          label: targetLabel(t.target),
          value: t.median[s.headline.metric],
          dots: t.rounds
            .map((r) => r[s.headline.metric])
            .filter((v): v is number => v !== undefined),
          ...(t.generatorBound
            ? { flag: '⚠', detail: `generator-bound: ${GENERATOR_BOUND_WARNING}` }
            : {}),
        })),
      },
    ],
  });
  const figures = [
    `<figure class="fig-bar"><figcaption><h3>${esc(headName)}</h3><span class="hint">median · dots: each round · ${s.headline.betterIs} is better</span></figcaption>${bar}</figure>`,
  ];
  const withLatency = targets.filter((t) => t.latency !== undefined);
  if (withLatency.length > 0) {
    const chart = percentileChart({
      title: `${s.id} latency percentiles per target`,
      categories: PERCENTILES.map((p) => p.label),
      highlight: 'p99',
      format: (v) => formatValue(v, { kind: 'ms' }),
      lines: withLatency.map((t) => ({
        series: t.target,
        label: targetLabel(t.target),
        values: PERCENTILES.map((p) => t.latency?.[p.key]),
      })),
    });
    figures.push(
      `<figure class="fig-latency"><figcaption><h3>Latency percentiles</h3><span class="hint">median round · log scale</span></figcaption>${chart}</figure>`,
    );
  }

  const ratioPills = scenarioRatioPills(run, s.id, cells);
  const notes = targets.flatMap((t) =>
    (t.notes ?? []).map((n) => `<li><b>${esc(targetLabel(t.target))}</b>${esc(n)}</li>`),
  );
  return `<section class="card scenario" id="${anchor(s.id)}" data-scenario="${esc(s.id)}">
<div class="scenario-head"><span class="sid">${esc(s.id)}</span><h2>${esc(s.title)}</h2><div class="meta">${chips}</div></div>
${alerts.join('\n')}
<div class="scenario-body${figures.length > 1 ? ' wide' : ''}">
${figures.join('\n')}
<div class="facts">
${ratioPills}
${renderMetricTable(s, targets, headUnit)}
${notes.length > 0 ? `<ul class="notes">${notes.join('')}</ul>` : ''}
${targets.length === 0 ? '<p class="sub">No target was measured.</p>' : ''}
</div>
</div>
</section>`;
}

function scenarioRatioPills(run: BenchRun, id: string, cells: readonly GoalCell[]): string {
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

function renderMetricTable(
  s: ScenarioResult,
  targets: TargetFigures[],
  headUnit: MetricUnit,
): string {
  if (targets.length === 0) return '';
  const metrics: string[] = [s.headline.metric];
  for (const t of targets)
    for (const k of Object.keys(t.median)) if (!metrics.includes(k)) metrics.push(k);
  const head = targets
    .map(
      (t) =>
        `<th><span class="${seriesClass(t.target)}"><span class="swatch"></span></span>${esc(targetLabel(t.target))}${t.generatorBound ? ' <span class="warn" title="generator-bound">⚠</span>' : ''}</th>`,
    )
    .join('');
  const rows = metrics.map((metric) => {
    const isHead = metric === s.headline.metric;
    const unit = isHead ? headUnit : unitOfMetric(metric);
    const values = targets.map((t) => t.median[metric]);
    const finite = values.filter((v): v is number => v !== undefined && Number.isFinite(v));
    const best =
      isHead && finite.length > 1
        ? s.headline.betterIs === 'lower'
          ? Math.min(...finite)
          : Math.max(...finite)
        : undefined;
    const cells = values
      .map(
        (v) =>
          `<td${best !== undefined && v === best ? ' class="best"' : ''}>${esc(formatValue(v, unit))}</td>`,
      )
      .join('');
    return `<tr${isHead ? ' class="headline"' : ''}><td>${esc(humanizeMetric(metric))}${isHead ? ' <span class="tag">headline</span>' : ''}<span class="key mono">${esc(metric)}</span></td>${cells}</tr>`;
  });
  const count = (v: number): string =>
    `<td class="${v > 0 ? 'bad' : 'zero'}">${esc(formatCount(v))}</td>`;
  rows.push(
    `<tr class="sep"><td>Lost deliveries</td>${targets.map((t) => count(t.lost)).join('')}</tr>`,
    `<tr><td>Duplicated deliveries</td>${targets.map((t) => count(t.duplicated)).join('')}</tr>`,
    `<tr><td title="share of one core: 200% is two cores busy">Generator CPU</td>${targets
      .map(
        (t) =>
          `<td${t.generatorBound ? ' class="warn"' : ''}>${esc(formatShare(t.generatorCpu))}</td>`,
      )
      .join('')}</tr>`,
    `<tr><td title="share of one core: 200% is two cores busy">Target CPU</td>${targets
      .map((t) => `<td>${esc(formatShare(t.targetCpu))}</td>`)
      .join('')}</tr>`,
  );
  return `<table class="metrics"><thead><tr><th>median of the rounds</th>${head}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function renderFooter(run: BenchRun): string {
  return `<footer>hubcast bench · every figure is in <span class="mono">${esc(run.runId)}.json</span> next to this page · finished ${esc(formatDate(run.finishedAt))}</footer>`;
}

function anchor(id: string): string {
  return esc(`scenario-${id.replace(/[^A-Za-z0-9_-]/g, '_')}`);
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

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
import { renderGoals, scenarioRatioPills, variantRatioPills } from './goal-html.js';
import {
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
import { evaluateGoals, evaluateVariantGoals } from './goals.js';
import type { GoalCell, VariantGoalCell } from './goals.js';
import { TARGETS, anchor, figureLabel, figureSeries, targetLabel } from './labels.js';
import { STYLE } from './style.js';
import { pollingFigures } from './polling-html.js';
import { groupedBarChart, percentileChart, seriesClass } from './svg.js';

const PERCENTILES: readonly { key: keyof LatencySummary; label: string }[] = [
  { key: 'p1', label: 'p1' },
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
  const variantCells = evaluateVariantGoals(run);
  const body = [
    renderHero(run),
    run.smoke ? renderSmokeNotice() : '',
    renderMachineAndSettings(run),
    renderGoals(run, cells, variantCells),
    renderToc(run),
    ...run.scenarios.map((s) => renderScenario(run, s, cells, variantCells)),
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

function renderToc(run: BenchRun): string {
  if (run.scenarios.length === 0) return '';
  const links = run.scenarios.map((s) => {
    const flags = [
      s.targets.some(
        (t) => (t.lost > 0 || t.duplicated > 0) && s.lossExpected?.includes(t.target) !== true,
      )
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

function renderScenario(
  run: BenchRun,
  s: ScenarioResult,
  cells: readonly GoalCell[],
  variantCells: readonly VariantGoalCell[],
): string {
  const targets = sortedTargets(s);
  const series = (t: TargetFigures): string => figureSeries(t, targets);
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
          `<strong>${esc(figureLabel(t))}</strong> (generator CPU ${esc(formatShare(t.generatorCpu))})`,
      )
      .join(', ');
    alerts.push(
      `<div class="alert generator-bound" role="alert"><span class="icon">⚠</span><span>${who}: ${esc(GENERATOR_BOUND_WARNING)}.</span></div>`,
    );
  }
  const expected = (t: TargetFigures): boolean => s.lossExpected?.includes(t.target) === true;
  const lossy = targets.filter((t) => t.lost > 0 || t.duplicated > 0);
  const lossText = (list: TargetFigures[]): string =>
    list
      .map(
        (t) =>
          `<strong>${esc(figureLabel(t))}</strong> lost ${esc(formatCount(t.lost))} and duplicated ${esc(formatCount(t.duplicated))}`,
      )
      .join('; ');
  const failing = lossy.filter((t) => !expected(t));
  if (failing.length > 0) {
    alerts.push(
      `<div class="alert bad loss" role="alert"><span class="icon">✗</span><span>${lossText(failing)} deliveries: every event must arrive exactly once.</span></div>`,
    );
  }
  const foreseen = lossy.filter(expected);
  if (foreseen.length > 0) {
    alerts.push(
      `<div class="alert loss-expected" role="note"><span class="icon">ℹ</span><span>${lossText(foreseen)} deliveries: expected here, they have no resume (reported, not a failure).</span></div>`,
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
          series: series(t),
          label: figureLabel(t),
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
        series: series(t),
        label: figureLabel(t),
        values: PERCENTILES.map((p) => t.latency?.[p.key]),
      })),
    });
    figures.push(
      `<figure class="fig-latency"><figcaption><h3>Latency percentiles</h3><span class="hint">median round · log scale</span></figcaption>${chart}</figure>`,
    );
  }

  if (s.id === 'polling') figures.push(...pollingFigures(targets, series));

  const ratioPills =
    scenarioRatioPills(run, s.id, cells) + variantRatioPills(run, s.id, variantCells);
  const notes = targets.flatMap((t) =>
    (t.notes ?? []).map((n) => `<li><b>${esc(figureLabel(t))}</b>${esc(n)}</li>`),
  );
  return `<section class="card scenario" id="${anchor(s.id)}" data-scenario="${esc(s.id)}">
<div class="scenario-head"><span class="sid">${esc(s.id)}</span><h2>${esc(s.title)}</h2><div class="meta">${chips}</div></div>
${alerts.join('\n')}
<div class="scenario-body${figures.length > 1 ? ' wide' : ''}">
${figures.join('\n')}
<div class="facts">
${ratioPills}
${renderMetricTable(s, targets, headUnit, series)}
${notes.length > 0 ? `<ul class="notes">${notes.join('')}</ul>` : ''}
${targets.length === 0 ? '<p class="sub">No target was measured.</p>' : ''}
</div>
</div>
</section>`;
}

function renderMetricTable(
  s: ScenarioResult,
  targets: TargetFigures[],
  headUnit: MetricUnit,
  series: (t: TargetFigures) => string,
): string {
  if (targets.length === 0) return '';
  const metrics: string[] = [s.headline.metric];
  for (const t of targets)
    for (const k of Object.keys(t.median)) if (!metrics.includes(k)) metrics.push(k);
  const head = targets
    .map(
      (t) =>
        `<th><span class="${seriesClass(series(t))}"><span class="swatch"></span></span>${esc(figureLabel(t))}${t.generatorBound ? ' <span class="warn" title="generator-bound">⚠</span>' : ''}</th>`,
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
  // Losses a scenario expects of a target (storm's peers) are shown, not flagged as failures.
  const count = (v: number, t: TargetFigures): string =>
    `<td class="${v === 0 ? 'zero' : s.lossExpected?.includes(t.target) ? 'warn' : 'bad'}">${esc(formatCount(v))}</td>`;
  rows.push(
    `<tr class="sep"><td>Lost deliveries</td>${targets.map((t) => count(t.lost, t)).join('')}</tr>`,
    `<tr><td>Duplicated deliveries</td>${targets.map((t) => count(t.duplicated, t)).join('')}</tr>`,
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

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

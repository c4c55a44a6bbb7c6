/** The report's stylesheet: system fonts only, light and dark themes, one color per target. */
export const STYLE = `
:root {
  color-scheme: light dark;
  --bg: #f4f5f9;
  --card: #ffffff;
  --fg: #1a1d27;
  --muted: #6b7285;
  --faint: #9aa1b2;
  --border: #e4e7ef;
  --grid: #eceef4;
  --axis: #b9bfcc;
  --head: #f7f8fb;
  --hubcast: #6454f0;
  --hubcast-alt1: #a79dfa;
  --hubcast-alt2: #3b2fb8;
  --ws: #0f9f95;
  --socketio: #e8900c;
  --pass: #15803d;
  --pass-bg: #e7f6ec;
  --fail: #c81e1e;
  --fail-bg: #fdecec;
  --warn: #8a5300;
  --warn-bg: #fff5dc;
  --warn-border: #f3d27e;
  --zone: rgba(22, 163, 74, 0.1);
  --band: rgba(100, 84, 240, 0.06);
  --dot-fill: #ffffff;
  --dot-stroke: #1a1d27;
  --shadow: 0 1px 2px rgba(16, 24, 40, 0.05), 0 1px 3px rgba(16, 24, 40, 0.06);
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0e1016;
    --card: #171a23;
    --fg: #e7e9f0;
    --muted: #9aa2b5;
    --faint: #6d7486;
    --border: #272b38;
    --grid: #232733;
    --axis: #3b4150;
    --head: #1c202b;
    --hubcast: #8f84ff;
    --hubcast-alt1: #5b52b8;
    --hubcast-alt2: #c4bdff;
    --ws: #2dd4bf;
    --socketio: #fbb13c;
    --pass: #4ade80;
    --pass-bg: rgba(74, 222, 128, 0.12);
    --fail: #f87171;
    --fail-bg: rgba(248, 113, 113, 0.13);
    --warn: #fbbf24;
    --warn-bg: rgba(251, 191, 36, 0.1);
    --warn-border: rgba(251, 191, 36, 0.35);
    --zone: rgba(74, 222, 128, 0.12);
    --band: rgba(143, 132, 255, 0.08);
    --dot-fill: #0e1016;
    --dot-stroke: #e7e9f0;
    --shadow: none;
  }
}
* { box-sizing: border-box; }
html { background: var(--bg); }
body {
  margin: 0;
  color: var(--fg);
  background: var(--bg);
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  font-variant-numeric: tabular-nums;
  -webkit-font-smoothing: antialiased;
}
main { max-width: 1180px; margin: 0 auto; padding: 32px 28px 56px; }
code, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 0.92em; }
h1, h2, h3 { margin: 0; line-height: 1.25; }
h1 { font-size: 28px; font-weight: 700; letter-spacing: -0.01em; }
h2 { font-size: 20px; font-weight: 650; }
h3 { font-size: 13px; font-weight: 600; color: var(--muted); text-transform: uppercase; letter-spacing: 0.06em; }
a { color: inherit; }
.s-hubcast { --c: var(--hubcast); }
.s-hubcast-alt1 { --c: var(--hubcast-alt1); }
.s-hubcast-alt2 { --c: var(--hubcast-alt2); }
.s-ws { --c: var(--ws); }
.s-socketio { --c: var(--socketio); }

.hero { display: flex; flex-wrap: wrap; align-items: flex-end; justify-content: space-between; gap: 16px; margin-bottom: 20px; }
.eyebrow { color: var(--muted); font-size: 12px; font-weight: 600; text-transform: uppercase; letter-spacing: 0.08em; margin-bottom: 6px; }
.hero h1 .mono { font-size: 0.86em; font-weight: 600; }
.meta { display: flex; flex-wrap: wrap; gap: 8px; margin-top: 10px; align-items: center; color: var(--muted); }
.pill { display: inline-flex; align-items: center; gap: 6px; padding: 2px 10px; border-radius: 999px; border: 1px solid var(--border); background: var(--card); font-size: 12.5px; color: var(--fg); white-space: nowrap; }
.pill.smoke { background: var(--warn-bg); border-color: var(--warn-border); color: var(--warn); font-weight: 600; }
.pill.full { background: var(--pass-bg); border-color: transparent; color: var(--pass); font-weight: 600; }
.pill.pass { background: var(--pass-bg); border-color: transparent; color: var(--pass); font-weight: 600; }
.pill.fail { background: var(--fail-bg); border-color: transparent; color: var(--fail); font-weight: 600; }
.pill.muted { color: var(--muted); }

.legend { display: flex; gap: 16px; list-style: none; margin: 0; padding: 0; flex-wrap: wrap; }
.legend li { display: inline-flex; align-items: center; gap: 7px; font-weight: 600; font-size: 13px; }
.swatch { width: 12px; height: 12px; border-radius: 3px; background: var(--c); display: inline-block; flex: none; }

.card { background: var(--card); border: 1px solid var(--border); border-radius: 12px; box-shadow: var(--shadow); padding: 20px 22px; }
.grid2 { display: grid; grid-template-columns: 1fr 1.35fr; gap: 16px; margin-bottom: 16px; }
dl.kv { display: grid; grid-template-columns: max-content 1fr; gap: 5px 18px; margin: 12px 0 0; }
dl.kv dt { color: var(--muted); }
dl.kv dd { margin: 0; font-weight: 550; overflow-wrap: anywhere; }
dl.kv.cols { grid-template-columns: repeat(2, max-content 1fr); }

section.goals { margin-bottom: 16px; }
.section-head { display: flex; flex-wrap: wrap; align-items: baseline; justify-content: space-between; gap: 10px; margin-bottom: 4px; }
.sub { color: var(--muted); margin: 4px 0 14px; }
.ratio-figure { margin-top: 22px; }

table { border-collapse: collapse; width: 100%; font-size: 13.5px; }
th, td { padding: 6px 12px; text-align: right; border-bottom: 1px solid var(--border); white-space: nowrap; }
th:first-child, td:first-child { text-align: left; white-space: normal; }
thead th { background: var(--head); color: var(--muted); font-weight: 600; font-size: 12.5px; border-bottom: 1px solid var(--border); }
thead th:first-child { border-top-left-radius: 8px; }
thead th:last-child { border-top-right-radius: 8px; }
tbody tr:last-child td { border-bottom: 0; }
th .swatch { margin-right: 6px; vertical-align: -1px; }
td .key { display: block; color: var(--faint); font-size: 11px; line-height: 1.3; }
tr.headline td { background: var(--head); }
.tag { display: inline-block; margin-left: 4px; padding: 0 6px; border-radius: 4px; font-size: 10.5px; font-weight: 700; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); border: 1px solid var(--border); vertical-align: 1px; }
td.warn, span.warn { color: var(--warn); font-weight: 700; }
span.fail { color: var(--fail); font-weight: 700; }
td.best { font-weight: 700; }
td.bad { color: var(--fail); background: var(--fail-bg); font-weight: 700; }
td.zero { color: var(--muted); }
tr.sep td { border-top: 2px solid var(--border); }

table.goal-table td.goal { width: 30%; }
table.goal-table a { text-decoration: none; font-weight: 600; }
table.goal-table a:hover { text-decoration: underline; }
.mark { display: inline-flex; align-items: center; gap: 8px; justify-content: flex-end; }
.mark .ratio { font-weight: 700; font-size: 15px; }
.mark .bound { color: var(--muted); font-size: 12px; }
.badge { display: inline-block; min-width: 54px; text-align: center; padding: 1px 8px; border-radius: 6px; font-size: 12px; font-weight: 700; }
.badge.pass { color: var(--pass); background: var(--pass-bg); }
.badge.fail { color: var(--fail); background: var(--fail-bg); }
.badge.missing { color: var(--muted); background: var(--head); }
td.goal.missing .ratio { color: var(--faint); }

nav.toc { display: flex; flex-wrap: wrap; gap: 8px; margin: 24px 0 16px; }
nav.toc a { text-decoration: none; }
nav.toc .pill b { font-weight: 700; }

section.scenario { margin-top: 16px; scroll-margin-top: 12px; }
.scenario-head { display: flex; align-items: center; gap: 12px; flex-wrap: wrap; }
.sid { font-weight: 800; font-size: 13px; padding: 3px 9px; border-radius: 7px; background: var(--fg); color: var(--card); letter-spacing: 0.02em; }
.scenario-head .meta { margin-top: 0; margin-left: auto; }
.alert { display: flex; gap: 10px; align-items: flex-start; margin-top: 14px; padding: 10px 14px; border-radius: 8px; font-weight: 550; border: 1px solid var(--warn-border); background: var(--warn-bg); color: var(--warn); }
.alert.smoke { margin: 0 0 16px; }
.alert.bad { border-color: transparent; background: var(--fail-bg); color: var(--fail); }
.alert .icon { font-size: 16px; line-height: 1.3; }
.scenario-body { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 22px 32px; margin-top: 18px; align-items: start; }
.scenario-body.wide .facts { grid-column: 1 / -1; }
.facts > :first-child { margin-top: 0; }
figure { margin: 0; }
figcaption { display: flex; justify-content: space-between; align-items: baseline; gap: 10px; margin-bottom: 6px; }
figcaption .hint { color: var(--faint); font-size: 12px; }
.ratios { display: flex; flex-wrap: wrap; gap: 8px; margin: 0 0 12px; }
.notes { margin: 14px 0 0; padding: 0; list-style: none; color: var(--muted); font-size: 13px; }
.notes li { padding: 2px 0; }
.notes li b { color: var(--fg); font-weight: 600; margin-right: 6px; }
footer { color: var(--faint); font-size: 12px; margin-top: 28px; text-align: center; }

svg.chart { width: 100%; height: auto; display: block; overflow: visible; font-family: inherit; }
svg.bar-chart, svg.percentile-chart { max-width: 620px; }
svg.chart text { fill: var(--fg); font-size: 12px; }
svg.chart .tick { fill: var(--muted); font-size: 11px; }
svg.chart .xlabel { fill: var(--fg); font-size: 12.5px; font-weight: 600; }
svg.chart .xlabel.strong { font-weight: 800; }
svg.chart .flag { fill: var(--warn); }
svg.chart .grid { stroke: var(--grid); stroke-width: 1; }
svg.chart .grid.base { stroke: var(--axis); }
svg.chart .bar { fill: var(--c, var(--muted)); }
svg.chart .dot { fill: var(--dot-fill); stroke: var(--dot-stroke); stroke-width: 1.4; opacity: 0.9; }
svg.chart .value { font-weight: 700; font-size: 13px; }
svg.chart .missing { fill: var(--faint); font-style: italic; font-weight: 400; }
svg.chart .line { fill: none; stroke: var(--c); stroke-width: 2.5; stroke-linejoin: round; stroke-linecap: round; }
svg.chart .pt { fill: var(--c); stroke: var(--card); stroke-width: 2; }
svg.chart .plabel { fill: var(--c); font-weight: 700; font-size: 11.5px; }
svg.chart .band { fill: var(--band); }
svg.chart .zone { fill: var(--zone); }
svg.chart .goal-mark { stroke: var(--pass); stroke-width: 2.5; stroke-linecap: round; }
svg.chart .ref { stroke: var(--fg); stroke-width: 1.2; stroke-dasharray: 4 3; opacity: 0.7; }
svg.chart .reflabel { fill: var(--muted); font-size: 11px; }
svg.chart .swatch-dot { fill: var(--c); }
svg.chart .glabel { font-weight: 800; font-size: 13px; }
svg.chart .gtitle { fill: var(--fg); font-size: 13px; }
svg.chart .gnote { fill: var(--muted); font-size: 11.5px; }
svg.chart .rlabel { font-size: 12.5px; }
svg.chart .rvalue { font-weight: 700; font-size: 13px; }
svg.chart .pass { fill: var(--pass); }
svg.chart .fail { fill: var(--fail); }

@media (max-width: 900px) {
  .grid2, .scenario-body { grid-template-columns: 1fr; }
  dl.kv.cols { grid-template-columns: max-content 1fr; }
}
@media print {
  body { background: #fff; }
  .card { box-shadow: none; break-inside: avoid; }
}
`;

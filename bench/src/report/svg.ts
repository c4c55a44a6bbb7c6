/**
 * Small inline-SVG charts for the report: a grouped bar chart, a percentile chart on a log
 * scale and a ratio chart. Colors come from the page's CSS (a series key maps to `s-<key>`,
 * which sets `--c`), so the charts follow the light and dark themes.
 */
import { escapeHtml as esc } from './format.js';
import type { GoalBound, GoalStatus } from './goals.js';

export interface BarDatum {
  /** Series key, e.g. a target name; picks the color. */
  series: string;
  label: string;
  value: number | undefined;
  /** Individual observations (e.g. one per round), drawn as dots over the bar. */
  dots?: readonly number[];
  /** Extra tooltip text. */
  detail?: string;
  /** A mark after the label (e.g. `⚠`), explained by `detail`. */
  flag?: string;
}

export interface BarGroup {
  label: string;
  bars: readonly BarDatum[];
}

export interface BarChartOptions {
  title: string;
  groups: readonly BarGroup[];
  format: (value: number) => string;
  /** Ticks on round multiples of powers of 1024 (for bytes: 4 KB, 8 KB rather than 4.88 KB). */
  binary?: boolean;
  width?: number;
  height?: number;
}

/** Vertical bars grouped by category, a value label on each bar and optional dots. */
export function groupedBarChart(o: BarChartOptions): string {
  const W = o.width ?? 520;
  const H = o.height ?? 280;
  const m = { top: 30, right: 16, bottom: 40, left: 70 };
  const plotW = W - m.left - m.right;
  const plotH = H - m.top - m.bottom;
  const observed: number[] = [];
  for (const g of o.groups) {
    for (const b of g.bars) {
      if (isNum(b.value)) observed.push(b.value);
      for (const d of b.dots ?? []) if (isNum(d)) observed.push(d);
    }
  }
  const { ticks, top } = linearTicks(Math.max(0, ...observed) * 1.12, o.binary ? 1024 : 1000);
  const y = (v: number): number => m.top + plotH - (Math.max(0, Math.min(v, top)) / top) * plotH;
  const parts: string[] = [];
  for (const t of ticks) {
    const ty = y(t);
    parts.push(
      `<line class="grid${t === 0 ? ' base' : ''}" x1="${m.left}" x2="${W - m.right}" y1="${r(ty)}" y2="${r(ty)}"/>`,
      `<text class="tick" x="${m.left - 8}" y="${r(ty)}" text-anchor="end" dominant-baseline="middle">${esc(o.format(t))}</text>`,
    );
  }
  const groupW = plotW / Math.max(1, o.groups.length);
  const single = o.groups.length === 1;
  o.groups.forEach((g, gi) => {
    const gx = m.left + gi * groupW;
    const pad = groupW * (single ? 0.06 : 0.12);
    const slot = (groupW - 2 * pad) / Math.max(1, g.bars.length);
    const bw = Math.min(slot * 0.7, 96);
    g.bars.forEach((b, bi) => {
      const cx = gx + pad + slot * bi + slot / 2;
      const x = cx - bw / 2;
      const cls = seriesClass(b.series);
      const dots = (b.dots ?? []).filter(isNum);
      const tip = [
        `${b.label}: ${isNum(b.value) ? o.format(b.value) : 'no data'}`,
        dots.length > 0 ? `rounds: ${dots.map(o.format).join(', ')}` : '',
        b.detail ?? '',
      ]
        .filter((s) => s !== '')
        .join('\n');
      parts.push(`<g class="${cls}"><title>${esc(tip)}</title>`);
      if (isNum(b.value)) {
        const by = y(b.value);
        const h = Math.max(0, m.top + plotH - by);
        parts.push(
          `<path class="bar" d="${roundedTop(x, by, bw, h, Math.min(4, bw / 4, h))}"/>`,
          ...dots.map((d, di) => {
            const spread = dots.length > 1 ? (di / (dots.length - 1) - 0.5) * bw * 0.5 : 0;
            return `<circle class="dot" cx="${r(cx + spread)}" cy="${r(y(d))}" r="3.5"/>`;
          }),
        );
        const labelY = y(Math.max(b.value, ...dots)) - 8;
        parts.push(
          `<text class="value" x="${r(cx)}" y="${r(labelY)}" text-anchor="middle">${esc(o.format(b.value))}</text>`,
        );
      } else {
        parts.push(
          `<text class="value missing" x="${r(cx)}" y="${r(m.top + plotH - 8)}" text-anchor="middle">— no data</text>`,
        );
      }
      if (single) {
        parts.push(
          `<text class="xlabel" x="${r(cx)}" y="${r(H - m.bottom + 20)}" text-anchor="middle">${esc(b.label)}${b.flag === undefined ? '' : `<tspan class="flag" dx="4">${esc(b.flag)}</tspan>`}</text>`,
        );
      }
      parts.push('</g>');
    });
    if (!single) {
      parts.push(
        `<text class="xlabel" x="${r(gx + groupW / 2)}" y="${r(H - m.bottom + 20)}" text-anchor="middle">${esc(g.label)}</text>`,
      );
    }
  });
  return svg(W, H, o.title, 'bar-chart', parts);
}

export interface PercentileLine {
  series: string;
  label: string;
  /** One value per category; undefined where not measured. */
  values: readonly (number | undefined)[];
}

export interface PercentileChartOptions {
  title: string;
  /** X categories, e.g. p50, p90, p99, p99.9, max. */
  categories: readonly string[];
  lines: readonly PercentileLine[];
  format: (value: number) => string;
  /** Category drawn on a shaded band (e.g. `p99`); the last category's values are labelled. */
  highlight?: string;
  width?: number;
  height?: number;
}

/** Lines over categorical percentiles with a log-scale y axis; values ≤ 0 sit on the floor. */
export function percentileChart(o: PercentileChartOptions): string {
  const W = o.width ?? 520;
  const H = o.height ?? 280;
  const m = { top: 30, right: 84, bottom: 40, left: 70 };
  const plotW = W - m.left - m.right;
  const plotH = H - m.top - m.bottom;
  const positive: number[] = [];
  for (const l of o.lines) for (const v of l.values) if (isNum(v) && v > 0) positive.push(v);
  const { lo, hi, ticks } = logDomain(positive);
  const y = (v: number): number => {
    const c = Math.min(hi, Math.max(lo, v));
    return m.top + plotH - (Math.log(c / lo) / Math.log(hi / lo)) * plotH;
  };
  const n = Math.max(1, o.categories.length);
  const x = (i: number): number => m.left + (plotW * (i + 0.5)) / n;
  const parts: string[] = [];
  const hiIndex = o.highlight === undefined ? -1 : o.categories.indexOf(o.highlight);
  if (hiIndex >= 0) {
    const bw = plotW / n;
    parts.push(
      `<rect class="band" x="${r(x(hiIndex) - bw / 2)}" y="${m.top}" width="${r(bw)}" height="${plotH}"/>`,
    );
  }
  for (const t of ticks) {
    const ty = y(t);
    parts.push(
      `<line class="grid" x1="${m.left}" x2="${W - m.right}" y1="${r(ty)}" y2="${r(ty)}"/>`,
      `<text class="tick" x="${m.left - 8}" y="${r(ty)}" text-anchor="end" dominant-baseline="middle">${esc(o.format(t))}</text>`,
    );
  }
  parts.push(
    `<line class="grid base" x1="${m.left}" x2="${W - m.right}" y1="${m.top + plotH}" y2="${m.top + plotH}"/>`,
  );
  o.categories.forEach((c, i) => {
    parts.push(
      `<text class="xlabel${i === hiIndex ? ' strong' : ''}" x="${r(x(i))}" y="${H - m.bottom + 20}" text-anchor="middle">${esc(c)}</text>`,
    );
  });
  const endLabels: Label[] = [];
  for (const l of o.lines) {
    const cls = seriesClass(l.series);
    const pts: string[] = [];
    const marks: string[] = [];
    l.values.forEach((v, i) => {
      if (!isNum(v)) return;
      pts.push(`${r(x(i))},${r(y(v))}`);
      marks.push(
        `<circle class="pt" cx="${r(x(i))}" cy="${r(y(v))}" r="4"><title>${esc(`${l.label} ${o.categories[i] ?? ''}: ${o.format(v)}`)}</title></circle>`,
      );
    });
    parts.push(
      `<g class="${cls}">`,
      pts.length > 1 ? `<polyline class="line" points="${pts.join(' ')}"/>` : '',
      ...marks,
      '</g>',
    );
    const last = l.values[l.values.length - 1];
    if (isNum(last)) endLabels.push({ y: y(last), text: o.format(last), cls });
  }
  for (const lab of spread(endLabels, 14, m.top, m.top + plotH)) {
    parts.push(
      `<text class="plabel ${lab.cls}" x="${r(x(n - 1) + 10)}" y="${r(lab.y)}" dominant-baseline="middle">${esc(lab.text)}</text>`,
    );
  }
  return svg(W, H, o.title, 'percentile-chart', parts);
}

export interface RatioRow {
  /** Rows with the same group are drawn together under one label (e.g. a scenario id). */
  group: string;
  /** Words after the group label on its first line. */
  groupTitle?: string;
  /** A second, quieter line under the group label. */
  groupNote?: string;
  series: string;
  label: string;
  ratio: number | undefined;
  /** Printed ratio (defaults to two decimals). */
  ratioText?: string;
  goal?: GoalBound;
  status?: GoalStatus;
}

export interface RatioChartOptions {
  title: string;
  rows: readonly RatioRow[];
  width?: number;
}

/**
 * Horizontal bars from the parity line (1.0) to each ratio on a log x axis; where a goal is
 * given, the region that meets it is shaded and the bound marked.
 */
export function ratioChart(o: RatioChartOptions): string {
  const W = o.width ?? 760;
  const rowH = 26;
  const gap = 14;
  const m = { top: 34, right: 110, bottom: 30, left: Math.round(W * 0.32) };
  const groups: { name: string; rows: RatioRow[] }[] = [];
  for (const row of o.rows) {
    const last = groups[groups.length - 1];
    if (last !== undefined && last.name === row.group) last.rows.push(row);
    else groups.push({ name: row.group, rows: [row] });
  }
  const rowsCount = Math.max(1, o.rows.length);
  const plotH = rowsCount * rowH + Math.max(0, groups.length - 1) * gap;
  const H = m.top + plotH + m.bottom;
  const plotW = W - m.left - m.right;
  const values: number[] = [];
  for (const row of o.rows) {
    if (isNum(row.ratio) && row.ratio > 0) values.push(row.ratio);
    if (row.goal !== undefined && row.goal.value > 0) values.push(row.goal.value);
  }
  const { lo, hi, ticks } = logDomain(values, 0.5, 2);
  const x = (v: number): number => {
    const c = Math.min(hi, Math.max(lo, v));
    return m.left + (Math.log(c / lo) / Math.log(hi / lo)) * plotW;
  };
  const parts: string[] = [];
  for (const t of ticks) {
    const tx = r(x(t));
    parts.push(
      `<line class="grid" x1="${tx}" x2="${tx}" y1="${m.top}" y2="${m.top + plotH}"/>`,
      `<text class="tick" x="${tx}" y="${m.top + plotH + 18}" text-anchor="middle">${esc(`${trimNum(t)}x`)}</text>`,
    );
  }
  let yCursor = m.top;
  const bars: string[] = [];
  for (const g of groups) {
    g.rows.forEach((row, ri) => {
      const cy = yCursor + rowH / 2;
      const cls = seriesClass(row.series);
      if (ri === 0) {
        const room = m.left - 96 - 8 - 16 - textWidth(row.group, 13, true) - 8;
        const title = row.groupTitle === undefined ? undefined : fit(row.groupTitle, room, 13);
        parts.push(
          `<text x="8" y="${r(cy)}" dominant-baseline="middle"><tspan class="glabel">${esc(row.group)}</tspan>${title === undefined || title === '' ? '' : `<tspan class="gtitle" dx="8">${esc(title)}</tspan>`}</text>`,
        );
      }
      if (ri === 1 && g.rows[0]?.groupNote !== undefined) {
        parts.push(
          `<text class="gnote" x="8" y="${r(cy)}" dominant-baseline="middle">${esc(g.rows[0].groupNote)}</text>`,
        );
      }
      parts.push(
        `<circle class="swatch-dot ${cls}" cx="${m.left - 96}" cy="${r(cy)}" r="5"/>`,
        `<text class="rlabel" x="${m.left - 86}" y="${r(cy)}" dominant-baseline="middle">${esc(row.label)}</text>`,
      );
      if (row.goal !== undefined) {
        const gx = x(row.goal.value);
        const [z0, z1] = row.goal.op === '<=' ? [m.left, gx] : [gx, m.left + plotW];
        parts.push(
          `<rect class="zone" x="${r(z0)}" y="${r(yCursor + 2)}" width="${r(Math.max(0, z1 - z0))}" height="${rowH - 4}"><title>${esc(`goal ${row.goal.op === '<=' ? '≤' : '≥'} ${row.goal.value}x`)}</title></rect>`,
        );
        bars.push(
          `<line class="goal-mark" x1="${r(gx)}" x2="${r(gx)}" y1="${r(yCursor + 1)}" y2="${r(yCursor + rowH - 1)}"/>`,
        );
      }
      const text = row.ratioText ?? (isNum(row.ratio) ? `${row.ratio.toFixed(2)}x` : '—');
      if (isNum(row.ratio) && row.ratio > 0) {
        const x0 = x(1);
        const x1 = x(row.ratio);
        const left = Math.min(x0, x1);
        const w = Math.max(2, Math.abs(x1 - x0));
        bars.push(
          `<g class="${cls}"><title>${esc(`${row.group} ${row.label}: ${text}`)}</title><rect class="bar" x="${r(left)}" y="${r(cy - 7)}" width="${r(w)}" height="14" rx="3"/></g>`,
        );
      } else {
        bars.push(
          `<text class="missing" x="${r(x(1) + 8)}" y="${r(cy)}" dominant-baseline="middle">no data</text>`,
        );
      }
      const mark =
        row.status === 'pass'
          ? '<tspan class="pass">  ✓</tspan>'
          : row.status === 'fail'
            ? '<tspan class="fail">  ✗</tspan>'
            : '';
      parts.push(
        `<text class="rvalue${isNum(row.ratio) ? '' : ' missing'}" x="${W - 12}" y="${r(cy)}" text-anchor="end" dominant-baseline="middle">${esc(text)}${mark}</text>`,
      );
      yCursor += rowH;
    });
    yCursor += gap;
  }
  const px = r(x(1));
  parts.push(
    ...bars,
    `<line class="ref" x1="${px}" x2="${px}" y1="${m.top - 8}" y2="${m.top + plotH}"/>`,
    `<text class="reflabel" x="${px}" y="${m.top - 14}" text-anchor="middle">parity 1.0x</text>`,
  );
  return svg(W, H, o.title, 'ratio-chart', parts);
}

/** Rough width of text in a sans-serif font: good enough to keep labels apart. */
function textWidth(text: string, size: number, bold = false): number {
  return text.length * size * (bold ? 0.62 : 0.56);
}

/** `text`, cut with an ellipsis to fit `width` pixels. */
function fit(text: string, width: number, size: number): string {
  if (textWidth(text, size) <= width) return text;
  const chars = Math.max(0, Math.floor(width / (size * 0.56)) - 1);
  return chars === 0 ? '' : `${text.slice(0, chars).trimEnd()}…`;
}

/** `s-hubcast`: the CSS class that sets a series' color. */
export function seriesClass(series: string): string {
  return `s-${series.replace(/[^A-Za-z0-9_-]/g, '')}`;
}

interface Label {
  y: number;
  text: string;
  cls: string;
}

/** Moves labels apart vertically so none overlap, keeping them inside [min, max]. */
function spread(labels: Label[], minGap: number, min: number, max: number): Label[] {
  const out = labels.map((l) => ({ ...l })).sort((a, b) => a.y - b.y);
  for (let i = 1; i < out.length; i++) {
    const prev = out[i - 1];
    const cur = out[i];
    if (prev !== undefined && cur !== undefined && cur.y - prev.y < minGap) cur.y = prev.y + minGap;
  }
  const last = out[out.length - 1];
  if (last !== undefined && last.y > max) {
    last.y = max;
    for (let i = out.length - 2; i >= 0; i--) {
      const next = out[i + 1];
      const cur = out[i];
      if (next !== undefined && cur !== undefined && next.y - cur.y < minGap)
        cur.y = next.y - minGap;
    }
  }
  const first = out[0];
  if (first !== undefined && first.y < min) first.y = min;
  return out;
}

function svg(w: number, h: number, title: string, cls: string, parts: string[]): string {
  return (
    `<svg class="chart ${cls}" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" xmlns="http://www.w3.org/2000/svg">` +
    `<title>${esc(title)}</title>${parts.join('')}</svg>`
  );
}

/** Nice linear ticks from 0 to at least `max`, round in units of a power of `base`. */
function linearTicks(max: number, base: number): { ticks: number[]; top: number } {
  const span = max > 0 && Number.isFinite(max) ? max : 1;
  const unit = base ** Math.max(0, Math.floor(Math.log(span) / Math.log(base)));
  const step = niceStep(span / unit / 4) * unit;
  const count = Math.max(1, Math.ceil(span / step - 1e-9));
  const ticks = Array.from({ length: count + 1 }, (_, i) => round12(i * step));
  return { ticks, top: round12(count * step) };
}

function niceStep(raw: number): number {
  const mag = 10 ** Math.floor(Math.log10(raw));
  const n = raw / mag;
  const f = n <= 1 ? 1 : n <= 2 ? 2 : n <= 2.5 ? 2.5 : n <= 5 ? 5 : 10;
  return f * mag;
}

/**
 * A log domain on the 1-2-5 sequence covering `values` (and [minLo, minHi] when given, so a
 * ratio chart always shows parity with room either side); ticks on every 1-2-5 step when the
 * domain spans under ~2.5 decades, else on powers of ten.
 */
function logDomain(
  values: readonly number[],
  minLo = Infinity,
  minHi = -Infinity,
): { lo: number; hi: number; ticks: number[] } {
  const all = [...values, ...[minLo, minHi].filter(Number.isFinite)];
  const vmin = all.length > 0 ? Math.min(...all) : 1;
  const vmax = all.length > 0 ? Math.max(...all) : 10;
  let lo = step125(vmin / 1.15, 'down');
  let hi = step125(vmax * 1.15, 'up');
  if (hi <= lo) hi = step125(lo * 1.5, 'up');
  const decades = Math.log10(hi / lo);
  const ticks: number[] = [];
  for (let e = Math.floor(Math.log10(lo)) - 1; e <= Math.ceil(Math.log10(hi)) + 1; e++) {
    for (const f of decades <= 2.5 ? [1, 2, 5] : [1]) {
      const t = round12(f * 10 ** e);
      if (t >= lo * (1 - 1e-9) && t <= hi * (1 + 1e-9)) ticks.push(t);
    }
  }
  if (decades > 2.5) {
    lo = Math.min(lo, ticks[0] ?? lo);
    hi = Math.max(hi, ticks[ticks.length - 1] ?? hi);
  }
  return { lo, hi, ticks };
}

/** The nearest value of 1, 2, 5, 10, 20, ... below (down) or above (up) `v` (> 0). */
function step125(v: number, dir: 'up' | 'down'): number {
  const safe = v > 0 && Number.isFinite(v) ? v : 1;
  const e = Math.floor(Math.log10(safe));
  const candidates = [-1, 0, 1].flatMap((d) => [1, 2, 5].map((f) => round12(f * 10 ** (e + d))));
  if (dir === 'down') return Math.max(...candidates.filter((c) => c <= safe * (1 + 1e-9)));
  return Math.min(...candidates.filter((c) => c >= safe * (1 - 1e-9)));
}

/** Rect path with the top corners rounded. */
function roundedTop(x: number, y: number, w: number, h: number, rad: number): string {
  const rr = Math.max(0, rad);
  return (
    `M${r(x)},${r(y + h)}V${r(y + rr)}Q${r(x)},${r(y)} ${r(x + rr)},${r(y)}` +
    `H${r(x + w - rr)}Q${r(x + w)},${r(y)} ${r(x + w)},${r(y + rr)}V${r(y + h)}Z`
  );
}

function isNum(v: number | undefined): v is number {
  return v !== undefined && Number.isFinite(v);
}

function round12(v: number): number {
  return Number(v.toPrecision(12));
}

function trimNum(v: number): string {
  return String(round12(v));
}

function r(v: number): number {
  return Math.round(v * 10) / 10;
}

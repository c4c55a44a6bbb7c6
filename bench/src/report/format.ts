/**
 * Human formatting of bench figures (1.2M/s, 6.4 KB, 0.83 ms) and HTML escaping. Pure and
 * locale-independent, so a report renders the same on every machine.
 */

/** Escapes text for HTML element content and quoted attribute values alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? ch);
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** What a number means, which decides how it is printed. */
export type UnitKind =
  'bytes' | 'rate' | 'ms' | 'us' | 'ns' | 's' | 'percent' | 'share' | 'ratio' | 'count';

export interface MetricUnit {
  kind: UnitKind;
  /** Text after a plain count, e.g. `events`; unused by the other kinds. */
  suffix?: string;
}

export const MISSING = '—';

/** Up to three significant figures, trailing zeros dropped: 6.4, 12.5, 840. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return nonFinite(value);
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 0.1 || abs === 0 ? 2 : 3;
  const text = stripZeros(value.toFixed(digits));
  return text === '-0' ? '0' : text;
}

/** Thousands separators for integers below 100,000 (10,000), SI suffixes above (1.2M). */
export function formatCount(value: number): string {
  if (!Number.isFinite(value)) return nonFinite(value);
  if (Math.abs(value) < 100_000 && Number.isInteger(value)) return groupDigits(value);
  return formatCompact(value);
}

/** 950, 12.5K, 1.2M, 3.4G. */
export function formatCompact(value: number): string {
  return scaled(value, 1000, ['', 'K', 'M', 'G', 'T'], '');
}

/** 512 B, 6.4 KB, 1.5 GB (1 KB = 1024 bytes, as `ps` and Node report memory). */
export function formatBytes(value: number): string {
  return scaled(value, 1024, ['B', 'KB', 'MB', 'GB', 'TB'], ' ');
}

/** A duration given in milliseconds: 8.3 µs, 13.7 µs, 0.83 ms, 12.4 ms, 2.5 s. */
export function formatMs(value: number): string {
  if (!Number.isFinite(value)) return nonFinite(value);
  const abs = Math.abs(value);
  if (abs === 0) return '0 ms';
  if (abs < 0.1) return `${formatNumber(value * 1000)} µs`;
  if (abs >= 1000) return `${formatNumber(value / 1000)} s`;
  return `${formatNumber(value)} ms`;
}

/** A CPU share where 1 is one core busy: 0.87 → 87%, 2.4 → 240%. */
export function formatShare(value: number): string {
  if (!Number.isFinite(value)) return nonFinite(value);
  return `${formatNumber(value * 100)}%`;
}

/** A ratio hubcast / peer with two decimals below 10 (0.83x, 1.24x) and one above (15.2x). */
export function formatRatio(value: number, decimals?: number): string {
  if (!Number.isFinite(value)) return nonFinite(value);
  const d = decimals ?? (Math.abs(value) >= 10 ? 1 : 2);
  return `${value.toFixed(d)}x`;
}

export function formatValue(value: number | undefined, unit: MetricUnit): string {
  if (value === undefined || Number.isNaN(value)) return MISSING;
  switch (unit.kind) {
    case 'bytes':
      return formatBytes(value);
    case 'rate':
      return `${formatCompact(value)}/s`;
    case 'ms':
      return formatMs(value);
    case 'us':
      return formatMs(value / 1000);
    case 'ns':
      return formatMs(value / 1e6);
    case 's':
      return formatMs(value * 1000);
    case 'percent':
      return `${formatNumber(value)}%`;
    case 'share':
      return formatShare(value);
    case 'ratio':
      return formatRatio(value);
    case 'count': {
      const text = formatCount(value);
      return unit.suffix ? `${text} ${unit.suffix}` : text;
    }
  }
}

/** The unit of a metric from the conventional suffix of its name (`rssPerConnBytes`, `p99Ms`). */
export function unitOfMetric(name: string): MetricUnit {
  if (/Bytes$|^bytes$/.test(name)) return { kind: 'bytes' };
  if (/PerSec$|PerSecond$|PerS$/.test(name)) return { kind: 'rate' };
  if (/Ms$|Millis$|^ms$/.test(name)) return { kind: 'ms' };
  if (/Us$|Micros$|^us$/.test(name)) return { kind: 'us' };
  if (/Ns$|Nanos$|^ns$/.test(name)) return { kind: 'ns' };
  if (/Sec$|Secs$|Seconds$/.test(name)) return { kind: 's' };
  if (/Pct$|Percent$/.test(name)) return { kind: 'percent' };
  if (/Cpu$|Share$/.test(name)) return { kind: 'share' };
  if (/Ratio$|Factor$/.test(name)) return { kind: 'ratio' };
  // Bare percentile names carry milliseconds, as LatencySummary does.
  if (/^(p\d+|max|min|mean)$/.test(name)) return { kind: 'ms' };
  return { kind: 'count' };
}

/** The unit of a scenario headline from its declared unit text (`bytes`, `ms`, `deliveries/s`). */
export function unitFromLabel(unit: string, metric: string): MetricUnit {
  const u = unit.trim().toLowerCase();
  if (u === 'b' || u === 'byte' || u === 'bytes') return { kind: 'bytes' };
  if (u === 'ms' || u === 'milliseconds') return { kind: 'ms' };
  if (u === 'us' || u === 'µs' || u === 'microseconds') return { kind: 'us' };
  if (u === 'ns' || u === 'nanoseconds') return { kind: 'ns' };
  if (u === 's' || u === 'sec' || u === 'seconds') return { kind: 's' };
  if (u === '%' || u === 'percent') return { kind: 'percent' };
  if (u === 'x' || u === 'ratio') return { kind: 'ratio' };
  if (u.endsWith('/s') || u.endsWith('per second') || u.endsWith('per sec')) {
    return { kind: 'rate' };
  }
  const fromName = unitOfMetric(metric);
  if (fromName.kind !== 'count' || u === '') return fromName;
  return { kind: 'count', suffix: unit.trim() };
}

const WORDS: Record<string, string> = {
  rss: 'RSS',
  cpu: 'CPU',
  gc: 'GC',
  id: 'ID',
  ws: 'ws',
  http: 'HTTP',
  api: 'API',
  fd: 'fd',
  fds: 'fds',
  p999: 'p99.9',
};

const UNIT_WORDS = new Set([
  'bytes',
  'ms',
  'millis',
  'us',
  'micros',
  'ns',
  'nanos',
  'sec',
  'secs',
  'seconds',
  'pct',
  'percent',
]);

/** `rssPerConnBytes` → `RSS per conn`, `deliveriesPerSec` → `Deliveries/s`, `p999Ms` → `p99.9`. */
export function humanizeMetric(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .split(/\s+/)
    .map((w) => w.toLowerCase());
  let rate = false;
  const last = words[words.length - 1];
  const beforeLast = words[words.length - 2];
  if (
    words.length > 1 &&
    last !== undefined &&
    /^(sec|second|s)$/.test(last) &&
    beforeLast === 'per'
  ) {
    words.splice(-2, 2);
    rate = true;
  } else if (words.length > 1 && last !== undefined && UNIT_WORDS.has(last)) {
    words.pop();
  }
  const text = words.map((w) => WORDS[w] ?? w).join(' ');
  const sentence = /^p\d/.test(text) ? text : text.charAt(0).toUpperCase() + text.slice(1);
  return rate ? `${sentence}/s` : sentence;
}

/** `2026-11-23 12:27:28 UTC`, or the text itself when it is not a date. */
export function formatDate(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return `${new Date(t).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** The time between two ISO dates: `4 min 12 s`, `850 ms`; undefined when either is unreadable. */
export function formatElapsed(fromIso: string, toIso: string): string | undefined {
  const ms = Date.parse(toIso) - Date.parse(fromIso);
  if (!Number.isFinite(ms) || ms < 0) return undefined;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h} h ${m} min`;
  if (m > 0) return `${m} min ${s} s`;
  return `${s} s`;
}

function scaled(value: number, base: number, suffixes: string[], sep: string): string {
  if (!Number.isFinite(value)) return nonFinite(value);
  const abs = Math.abs(value);
  let i = 0;
  while (i < suffixes.length - 1 && abs >= base ** (i + 1)) i++;
  let text = formatNumber(value / base ** i);
  // 999,950 rounds to "1000K": move up a step instead.
  if (i < suffixes.length - 1 && Math.abs(Number(text)) >= base) {
    i++;
    text = formatNumber(value / base ** i);
  }
  const suffix = suffixes[i] ?? '';
  if (i === 0 && base === 1024) return `${Math.round(value)}${sep}${suffix}`;
  return suffix === '' ? text : `${text}${sep}${suffix}`;
}

function groupDigits(value: number): string {
  const sign = value < 0 ? '-' : '';
  return sign + String(Math.abs(value)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function stripZeros(text: string): string {
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

function nonFinite(value: number): string {
  if (Number.isNaN(value)) return MISSING;
  return value > 0 ? '∞' : '-∞';
}

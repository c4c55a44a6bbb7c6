/**
 * The `polling` scenario's own charts (issue 13): push and REST polling side by side, on what
 * the servers do (requests and database queries per second), what they spend (CPU per
 * process) and how long a change takes to reach every client.
 */
import type { TargetFigures } from '../results.js';
import { escapeHtml as esc, formatShare, formatValue } from './format.js';
import { figureLabel } from './labels.js';
import { groupedBarChart, type BarGroup } from './svg.js';

/** A chart's groups: one per metric, one bar per variant, a dot per round. */
function groups(
  targets: readonly TargetFigures[],
  series: (t: TargetFigures) => string,
  metrics: readonly (readonly [string, string])[],
): BarGroup[] {
  return metrics.map(([metric, label]) => ({
    label,
    bars: targets.map((t) => ({
      series: series(t),
      label: figureLabel(t),
      value: t.median[metric],
      dots: t.rounds.map((r) => r[metric]).filter((v): v is number => v !== undefined),
    })),
  }));
}

function figure(title: string, hint: string, svg: string): string {
  return `<figure class="fig-bar"><figcaption><h3>${esc(title)}</h3><span class="hint">${esc(hint)}</span></figcaption>${svg}</figure>`;
}

/** The figures the `polling` section adds after its headline chart. */
export function pollingFigures(
  targets: readonly TargetFigures[],
  series: (t: TargetFigures) => string,
): string[] {
  if (targets.length === 0) return [];
  const rate = (v: number): string => formatValue(v, { kind: 'rate' });
  const ms = (v: number): string => formatValue(v, { kind: 'ms' });
  return [
    figure(
      'Requests and database queries per second',
      'median · dots: each round · queries/s as the REST server counts them, commits/s as PostgreSQL does',
      groupedBarChart({
        title: 'polling: requests and queries per second, push against polling',
        format: rate,
        groups: groups(targets, series, [
          ['httpRequestsPerSec', 'HTTP req/s'],
          ['serverQueriesPerSec', 'queries/s'],
          ['pgXactCommitPerSec', 'PG commits/s'],
        ]),
      }),
    ),
    figure(
      'Server CPU by process',
      'share of one core · median · dots: each round',
      groupedBarChart({
        title: 'polling: CPU of the REST server, hubcast and PostgreSQL',
        format: formatShare,
        groups: groups(targets, series, [
          ['restCpu', 'REST server'],
          ['hubcastCpu', 'hubcast'],
          ['pgCpu', 'PostgreSQL'],
          ['serverCpu', 'all servers'],
        ]),
      }),
    ),
    figure(
      'From a change to the clients',
      'median · dots: each round · all: the slowest client, of the median and the slowest change · client: over every client and change',
      groupedBarChart({
        title: 'polling: time from a change to every client, push against polling',
        format: ms,
        groups: groups(targets, series, [
          ['timeToAllP50Ms', 'all, p50'],
          ['timeToAllMaxMs', 'all, max'],
          ['clientP50Ms', 'client p50'],
          ['clientP99Ms', 'client p99'],
        ]),
      }),
    ),
  ];
}

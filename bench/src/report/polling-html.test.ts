import { describe, expect, it } from 'vitest';
import type { TargetFigures } from '../results.js';
import { pollingFigures } from './polling-html.js';

function figure(variant: string, median: Record<string, number>): TargetFigures {
  return {
    target: 'hubcast',
    variant,
    rounds: [median, median, median],
    median,
    lost: 0,
    duplicated: 0,
    generatorCpu: 0.4,
    targetCpu: median['serverCpu'] ?? 0,
    generatorBound: false,
  };
}

describe('pollingFigures', () => {
  const push = figure('push', {
    serverCpu: 0.05,
    httpRequestsPerSec: 0,
    serverQueriesPerSec: 0,
    pgXactCommitPerSec: 2,
    restCpu: 0.001,
    hubcastCpu: 0.04,
    pgCpu: 0.009,
    timeToAllP50Ms: 40,
    timeToAllMaxMs: 90,
    clientP50Ms: 12,
    clientP99Ms: 60,
  });
  const polling = figure('polling', {
    serverCpu: 0.8,
    httpRequestsPerSec: 1000,
    serverQueriesPerSec: 1000,
    pgXactCommitPerSec: 1002,
    restCpu: 0.5,
    hubcastCpu: 0,
    pgCpu: 0.3,
    timeToAllP50Ms: 5010,
    timeToAllMaxMs: 5200,
    clientP50Ms: 2500,
    clientP99Ms: 4950,
  });
  const series = (t: TargetFigures): string => (t.variant === 'push' ? 'hubcast' : 'ws');

  it('draws requests and queries, CPU by process and the time to the clients, side by side', () => {
    const html = pollingFigures([push, polling], series);
    expect(html).toHaveLength(3);
    const [rates, cpu, latency] = html;
    expect(rates).toContain('HTTP req/s');
    expect(rates).toContain('PG commits/s');
    for (const who of ['REST server', 'hubcast', 'PostgreSQL', 'all servers'])
      expect(cpu).toContain(who);
    expect(latency).toContain('all, p50');
    // Both variants in every chart, named as what they are (REST polling is not hubcast).
    for (const chart of html) {
      expect(chart).toContain('hubcast push');
      expect(chart).toContain('REST polling');
      expect(chart).toContain('class="s-hubcast"');
      expect(chart).toContain('class="s-ws"');
    }
    expect(rates).toContain('REST polling: 1K/s'); // the polling requests/s on its bar
  });

  it('draws nothing without figures', () => {
    expect(pollingFigures([], series)).toEqual([]);
  });
});

/**
 * Reads a node's Prometheus counters through its registry, and waits for one to reach a value:
 * what the server did to a client that reads nothing can only be seen from the server's side.
 */
import type { HubcastNode } from '../../src/index.js';

/** The sum of a metric's samples whose labels include `labels` (0 when none). */
export async function metricValue(
  node: HubcastNode,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): Promise<number> {
  const metric = node.metrics.registry.getSingleMetric(name);
  if (metric === undefined) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  let sum = 0;
  for (const v of values)
    if (Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want)) sum += v.value;
  return sum;
}

/** Resolves once the metric reaches `atLeast`; fails after `timeoutMs` saying what it was. */
export async function untilMetric(
  node: HubcastNode,
  name: string,
  labels: Readonly<Record<string, string>>,
  atLeast = 1,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await metricValue(node, name, labels);
    if (value >= atLeast) return;
    if (Date.now() > deadline)
      throw new Error(`${name}${JSON.stringify(labels)} is ${value}, not >= ${atLeast}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Resolves once the node has closed a connection with `code`. */
export function untilClosedWith(node: HubcastNode, code: number, timeoutMs = 5000): Promise<void> {
  return untilMetric(node, 'hubcast_connection_closes_total', { code: String(code) }, 1, timeoutMs);
}

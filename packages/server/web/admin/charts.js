/**
 * The console's charts (uPlot, served by the node from its package): one chart per figure, one
 * line per node, of the whole node or of one tenant. Each chart's box carries `data-points`
 * (samples shown) and `data-max` (largest value shown), which the browser tests await.
 */
import uPlot from './uplot/uPlot.esm.js';

/** Ten minutes of one-second samples per node, as the node keeps. */
const MAX_SAMPLES = 600;
/** The window kept, as the nodes keep it. */
const WINDOW_MS = 600_000;
/** A node whose newest sample is this much older than the freshest is not waited for. */
const STALE_MS = 15_000;
const lastTime = (samples) => (samples.length === 0 ? 0 : samples[samples.length - 1].t);
const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#4d7c0f'];

export const FIGURES = [
  { key: 'connections', title: 'Connections', fields: [['connections', '']] },
  { key: 'events', title: 'Events published / s', fields: [['events_per_s', '']] },
  { key: 'deliveries', title: 'Deliveries / s', fields: [['deliveries_per_s', '']] },
  {
    key: 'drops',
    title: 'Queue drops: slow consumers, ephemeral',
    fields: [
      ['queue_drops', ' slow'],
      ['ephemeral_drops', ' ephemeral'],
    ],
  },
  { key: 'lag', title: 'p99 delivery lag (ms)', fields: [['lag_p99_ms', '']] },
];

/** Every node's samples, as `GET /api/admin/series` brought them. */
export class SeriesStore {
  nodes = new Map();

  /**
   * Adds an answer's samples: each node's newer than what it has. Keeps the last ten minutes of
   * the freshest node's clock; a node silent for longer (stopped, dead) drops out.
   */
  add(answer) {
    for (const { node, samples } of answer.nodes) {
      const have = this.nodes.get(node) ?? [];
      const lastT = lastTime(have);
      for (const s of samples) if (s.t > lastT) have.push(s);
      if (have.length > MAX_SAMPLES) have.splice(0, have.length - MAX_SAMPLES);
      this.nodes.set(node, have);
    }
    const oldest = this.freshest() - WINDOW_MS;
    for (const [node, have] of this.nodes) {
      const keep = have.findIndex((s) => s.t >= oldest);
      if (keep === -1) this.nodes.delete(node);
      else if (keep > 0) have.splice(0, keep);
    }
  }

  freshest() {
    let t = 0;
    for (const have of this.nodes.values()) t = Math.max(t, lastTime(have));
    return t;
  }

  /**
   * What to ask for next: after the oldest newest sample of the nodes that answered lately
   * (clocks may differ a little). A node that stopped answering is left out, or every poll
   * would bring the others' whole ten minutes again.
   */
  since() {
    const freshest = this.freshest();
    let since = freshest;
    for (const have of this.nodes.values()) {
      const t = lastTime(have);
      if (t >= freshest - STALE_MS) since = Math.min(since, t);
    }
    return since;
  }

  nodeIds() {
    return [...this.nodes.keys()].sort();
  }

  /** Each node's newest sample. */
  latest() {
    return this.nodeIds().map((node) => {
      const samples = this.nodes.get(node);
      return { node, sample: samples[samples.length - 1], count: samples.length };
    });
  }

  /** Every tenant in the kept samples ('*' is the tenants past the node's cap). */
  tenants() {
    const orgs = new Set();
    for (const samples of this.nodes.values())
      for (const s of samples) for (const org of Object.keys(s.tenants)) orgs.add(org);
    return [...orgs].sort();
  }
}

const valueOf = (sample, scope, field) => {
  const from = scope === '' ? sample : sample.tenants[scope];
  if (from === undefined) return field === 'lag_p99_ms' ? null : 0;
  return from[field];
};

export class Charts {
  constructor(container) {
    this.container = container;
    this.charts = new Map();
    this.signature = '';
  }

  render(store, scope) {
    const nodes = store.nodeIds();
    const signature = `${scope}\n${nodes.join('\n')}`;
    if (signature !== this.signature) this.rebuild(nodes);
    this.signature = signature;
    // One x axis for all nodes: the second each sample was taken in.
    const xs = new Set();
    for (const samples of store.nodes.values())
      for (const s of samples) xs.add(Math.floor(s.t / 1000));
    const x = [...xs].sort((a, b) => a - b);
    const at = new Map(x.map((sec, i) => [sec, i]));
    for (const figure of FIGURES) {
      const columns = [x];
      let max = 0;
      for (const node of nodes)
        for (const [field] of figure.fields) {
          const column = new Array(x.length).fill(null);
          for (const s of store.nodes.get(node)) {
            const v = valueOf(s, scope, field);
            column[at.get(Math.floor(s.t / 1000))] = v;
            if (v !== null && v > max) max = v;
          }
          columns.push(column);
        }
      const { plot, box } = this.charts.get(figure.key);
      plot.setData(columns);
      box.dataset.points = String(x.length);
      box.dataset.max = String(max);
    }
  }

  rebuild(nodes) {
    for (const { plot } of this.charts.values()) plot.destroy();
    this.charts.clear();
    this.container.replaceChildren();
    const width = Math.max(380, Math.min(640, this.container.clientWidth / 2 - 24));
    for (const figure of FIGURES) {
      const box = document.createElement('div');
      box.className = 'chart';
      box.dataset.chart = figure.key;
      box.dataset.testid = `chart-${figure.key}`;
      this.container.append(box);
      const series = [{}];
      nodes.forEach((node, i) => {
        for (const [field, suffix] of figure.fields)
          series.push({
            label: `${node}${suffix}`,
            stroke: COLORS[i % COLORS.length],
            width: 1.5,
            dash: field === 'ephemeral_drops' ? [4, 4] : undefined,
            spanGaps: false,
          });
      });
      const plot = new uPlot(
        { title: figure.title, width, height: 180, series, scales: { y: { range: yRange } } },
        [[], ...series.slice(1).map(() => [])],
        box,
      );
      this.charts.set(figure.key, { plot, box });
    }
  }
}

/** From zero, so a quiet line does not fill the chart with noise. */
function yRange(_u, _min, max) {
  return [0, max > 0 ? max * 1.1 : 1];
}

/**
 * The console's tables: nodes and tenants (from the samples), an org's channels with their
 * subscriber counts (paged), and a channel's presence. Every tenant string is rendered as text
 * through `el` (api.js).
 */
import { api, byId, el, showError } from './api.js';

const fmt = (v) => (v === null || v === undefined ? '–' : String(v));

export function renderNodes(store) {
  byId('nodes-body').replaceChildren(
    ...store
      .latest()
      .map(({ node, sample, count }) =>
        el(
          'tr',
          { 'data-node': node },
          el('td', {}, node),
          el('td', {}, fmt(sample?.connections)),
          el('td', {}, fmt(sample?.events_per_s)),
          el('td', {}, fmt(sample?.deliveries_per_s)),
          el('td', {}, fmt(sample?.lag_p99_ms)),
          el('td', {}, String(count)),
        ),
      ),
  );
}

/** Sums the tenants of each node's newest sample; `onPick(org)` when a row is clicked. */
export function renderTenants(store, onPick) {
  const sums = new Map();
  for (const { sample } of store.latest()) {
    if (sample === undefined) continue;
    for (const [org, t] of Object.entries(sample.tenants)) {
      const sum = sums.get(org) ?? {
        connections: 0,
        events: 0,
        deliveries: 0,
        drops: 0,
        lag: null,
      };
      sum.connections += t.connections;
      sum.events += t.events_per_s;
      sum.deliveries += t.deliveries_per_s;
      sum.drops += t.queue_drops + t.ephemeral_drops;
      if (t.lag_p99_ms !== null) sum.lag = Math.max(sum.lag ?? 0, t.lag_p99_ms);
      sums.set(org, sum);
    }
  }
  const rows = [...sums].sort(
    (a, b) => b[1].connections - a[1].connections || (a[0] < b[0] ? -1 : 1),
  );
  byId('tenants-body').replaceChildren(
    ...rows.map(([org, s]) =>
      el(
        'tr',
        { class: 'pick', 'data-org': org, onclick: () => onPick(org) },
        el('td', {}, org === '*' ? '* (others)' : org),
        el('td', {}, String(s.connections)),
        el('td', {}, String(Math.round(s.events * 100) / 100)),
        el('td', {}, String(Math.round(s.deliveries * 100) / 100)),
        el('td', {}, String(s.drops)),
        el('td', {}, fmt(s.lag)),
      ),
    ),
  );
}

const PAGE = 50;

/** The channels table: `load(org)` lists its first page; the arrows page on. */
export function setUpChannels(onPickChannel) {
  let org = '';
  let offset = 0;
  let total = 0;
  const info = byId('channels-info');
  const load = async () => {
    info.classList.remove('error');
    try {
      const page = await api('/api/admin/channels', { query: { org, offset, limit: PAGE } });
      total = page.total;
      const last = Math.min(offset + PAGE, total);
      info.textContent = `${total === 0 ? 0 : offset + 1}–${last} of ${total}${page.truncated ? ' (busiest only)' : ''}`;
      byId('channels-body').replaceChildren(
        ...page.channels.map(({ channel, subscribers }) =>
          el(
            'tr',
            { class: 'pick', 'data-channel': channel, onclick: () => onPickChannel(org, channel) },
            el('td', {}, channel),
            el('td', { 'data-subscribers': String(subscribers) }, String(subscribers)),
          ),
        ),
      );
    } catch (err) {
      showError(info, err);
    }
  };
  byId('channels-form').addEventListener('submit', (e) => {
    e.preventDefault();
    org = byId('channels-org').value.trim();
    offset = 0;
    void load();
  });
  byId('channels-prev').addEventListener('click', () => {
    if (offset === 0) return;
    offset = Math.max(0, offset - PAGE);
    void load();
  });
  byId('channels-next').addEventListener('click', () => {
    if (offset + PAGE >= total) return;
    offset += PAGE;
    void load();
  });
}

/** The presence panel: the first members of a concrete channel and the count of all. */
export function setUpPresence() {
  const info = byId('presence-info');
  const show = async () => {
    info.classList.remove('error');
    try {
      const org = byId('presence-org').value.trim();
      const channel = byId('presence-channel').value.trim();
      const { members, count } = await api('/api/presence', { query: { org, channel } });
      info.textContent = `${count} present${count > members.length ? ` (first ${members.length})` : ''}`;
      byId('presence-list').replaceChildren(
        ...members.map((m) =>
          el(
            'li',
            { 'data-user': m.user },
            m.user,
            m.info === undefined ? '' : ` ${JSON.stringify(m.info)}`,
          ),
        ),
      );
    } catch (err) {
      showError(info, err);
    }
  };
  byId('presence-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void show();
  });
  return show;
}

/**
 * The hubcast admin console (`/admin`, docs/admin.md). It asks for the admin key, then polls
 * `GET /api/admin/series` every second for the samples taken since its last answer. Polling,
 * not Server-Sent Events: EventSource cannot send an Authorization header, and the key must
 * not travel in a URL or a cookie; one small request a second per open console is cheap.
 */
import { ApiError, api, byId, forgetKey, saveKey, savedKey, showError } from './api.js';
import { Charts, SeriesStore } from './charts.js';
import { renderNodes, renderTenants, setUpChannels, setUpPresence } from './tables.js';
import { setUpTools } from './tools.js';

const POLL_MS = 1000;

const store = new SeriesStore();
let charts;
let timer;
let polling = false;

function showKeyForm(message) {
  clearTimeout(timer);
  polling = false;
  byId('console').hidden = true;
  byId('sign-out').hidden = true;
  byId('key-form').hidden = false;
  const error = byId('key-error');
  error.hidden = message === undefined;
  error.textContent = message ?? '';
}

/** Bumped by each openConsole: a poll of an earlier one (a key forgotten meanwhile) stops. */
let pollGeneration = 0;

async function poll(generation) {
  try {
    store.add(await api('/api/admin/series', { query: { since: store.since() } }));
    byId('status').textContent = `${store.nodes.size} node(s)`;
    render();
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
      forgetKey();
      showKeyForm(
        err.status === 403
          ? 'That key is a tenant key: the console needs the admin key.'
          : 'Unknown key.',
      );
      return;
    }
    showError(byId('status'), err);
  }
  if (polling && generation === pollGeneration)
    timer = setTimeout(() => void poll(generation), POLL_MS);
}

function render() {
  const scope = byId('scope');
  const orgs = store.tenants();
  const listed = [...scope.options].slice(1).map((o) => o.value);
  if (orgs.join('\n') !== listed.join('\n')) {
    const chosen = scope.value;
    scope.replaceChildren(
      scope.options[0],
      ...orgs.map((org) => new Option(org === '*' ? '* (others)' : org, org)),
    );
    scope.value = orgs.includes(chosen) ? chosen : '';
  }
  charts.render(store, scope.value);
  renderNodes(store);
  renderTenants(store, pickOrg);
}

/** A tenant row was clicked: chart it and fill it in every org field. */
function pickOrg(org) {
  if (org === '*') return;
  byId('scope').value = org;
  for (const id of ['channels-org', 'presence-org', 'publish-org', 'history-org', 'disconnect-org'])
    byId(id).value = org;
  render();
}

function openConsole() {
  byId('key-form').hidden = true;
  byId('console').hidden = false;
  byId('sign-out').hidden = false;
  charts ??= new Charts(byId('charts'));
  polling = true;
  void poll(++pollGeneration);
}

const showPresence = setUpPresence();
setUpChannels((org, channel) => {
  byId('presence-org').value = org;
  byId('presence-channel').value = channel;
  byId('history-org').value = org;
  byId('history-channel').value = channel;
  if (!channel.includes('*') && !channel.includes('>')) void showPresence();
});
setUpTools();
byId('scope').addEventListener('change', () => render());
byId('key-form').addEventListener('submit', (e) => {
  e.preventDefault();
  saveKey(byId('key-input').value.trim());
  byId('key-input').value = '';
  openConsole();
});
byId('sign-out').addEventListener('click', () => {
  forgetKey();
  showKeyForm();
});
if (savedKey() === '') showKeyForm();
else openConsole();

/**
 * The hubcast dev console (`hubcast serve --dev`, page `/`): the classic WebSocket test page,
 * built on the client SDK. It fetches the dev token from `/dev.json`, connects to `/ws`, and
 * lets you subscribe, publish (over the socket and over the HTTP API) and watch events.
 * The client is also `window.hubcast` for poking at it from the console.
 */
import { HubcastClient } from '@hubcast/client';
import {
  blink,
  byTestId,
  flash,
  formatTime,
  hideError,
  parseJson,
  shellQuote,
  showError,
} from './view.js';

/** Events kept in the log; older ones drop off the bottom. */
const MAX_EVENTS = 200;

const ui = {
  state: byTestId('state'),
  connect: byTestId('connect-button'),
  disconnect: byTestId('disconnect-button'),
  banner: byTestId('connection-error'),
  session: byTestId('session-id'),
  user: byTestId('user'),
  org: byTestId('org'),
  cursor: byTestId('cursor'),
  endpoint: byTestId('endpoint'),
  subForm: byTestId('subscribe-form'),
  subInput: byTestId('subscribe-input'),
  subError: byTestId('subscribe-error'),
  subList: byTestId('subscription-list'),
  subEmpty: byTestId('subscription-empty'),
  pubForm: byTestId('publish-form'),
  pubChannel: byTestId('publish-channel'),
  pubData: byTestId('publish-data'),
  pubError: byTestId('publish-error'),
  pubResult: byTestId('publish-result'),
  pubButton: byTestId('publish-button'),
  format: byTestId('format-button'),
  curl: byTestId('curl-command'),
  httpError: byTestId('http-error'),
  httpResult: byTestId('http-result'),
  httpButton: byTestId('http-publish-button'),
  copyCurl: byTestId('copy-curl-button'),
  eventList: byTestId('event-list'),
  eventEmpty: byTestId('event-empty'),
  eventCount: byTestId('event-count'),
  clear: byTestId('clear-button'),
  eventTemplate: /** @type {HTMLTemplateElement} */ (document.getElementById('event-template')),
};

/** The dev token, tenant, user and API key; refetched when the server asks for a new token. */
let dev = { token: '', org: '', user: '', apiKey: '' };
let eventCount = 0;
/** pattern -> { sub, li, hits } for the subscriptions listed. */
const subscriptions = new Map();

async function loadDevInfo() {
  const res = await fetch('/dev.json', { cache: 'no-store' });
  if (!res.ok)
    throw new Error(`/dev.json answered ${res.status}: this page needs \`hubcast serve --dev\``);
  const body = await res.json();
  for (const key of ['token', 'org', 'user', 'apiKey'])
    if (typeof body[key] !== 'string') throw new Error(`/dev.json has no string '${key}'`);
  return body;
}

// ---- connection ------------------------------------------------------------------------

function setBanner(kind, error) {
  if (kind === undefined) return hideError(ui.banner);
  ui.banner.classList.toggle('info', kind === 'info');
  showError(ui.banner, error);
}

function renderState(state) {
  ui.state.textContent = state;
  ui.state.dataset.state = state;
  ui.connect.disabled = state !== 'disconnected';
  ui.disconnect.disabled = state === 'disconnected';
}

function renderSession(client) {
  const s = client.session;
  ui.session.textContent = s?.id ?? '—';
  ui.session.title = s?.id ?? '';
  ui.user.textContent = s?.user ?? dev.user ?? '—';
  ui.org.textContent = s?.org ?? dev.org ?? '—';
  renderCursor(client.cursor);
}

function renderCursor(cursor) {
  const text = cursor ?? '—';
  if (ui.cursor.textContent === text) return;
  ui.cursor.textContent = text;
  ui.cursor.title = text;
  flash(ui.cursor);
}

function wire(client) {
  client.on('state', ({ to }) => renderState(to));
  client.on('connected', ({ cursor, rejected }) => {
    renderSession(client);
    renderCursor(cursor);
    if (rejected.length === 0) setBanner(undefined);
  });
  client.on('disconnected', ({ code, reason, willReconnect, delayMs, error }) => {
    renderSession(client);
    const why = `closed with ${code}${reason ? ` (${reason})` : ''}`;
    if (willReconnect) {
      const wait = delayMs === undefined ? '' : ` in ${(delayMs / 1000).toFixed(1)} s`;
      const detail = error === undefined ? '' : `: ${error.message}`;
      setBanner('info', { code: 'reconnecting', message: `${why}${detail}; trying again${wait}…` });
    } else if (error !== undefined) {
      setBanner('error', error);
    } else {
      setBanner(undefined);
    }
  });
  client.on('reset', () =>
    setBanner('info', {
      code: 'reset',
      message:
        'the server could not resume from the cursor (out of retention, or its log was wiped by a restart): events may have been missed; the subscriptions went live from the head',
    }),
  );
  client.on('error', ({ error, channel }) => {
    // Errors about a subscription show under the subscribe form, the rest on the banner.
    if (channel === undefined) setBanner('error', error);
    else showError(ui.subError, error);
  });
  client.on('event', (event) => {
    addEvent(event);
    renderCursor(client.cursor);
  });
  ui.connect.addEventListener('click', () => {
    client.connect().catch(() => {}); // failures arrive as 'disconnected' / 'error'
  });
  ui.disconnect.addEventListener('click', () => client.disconnect());
}

// ---- subscriptions ---------------------------------------------------------------------

function addSubscription(client, pattern) {
  hideError(ui.subError);
  const existing = subscriptions.get(pattern);
  if (existing !== undefined) return flash(existing.li);
  const entry = { sub: undefined, li: document.createElement('li'), hits: 0 };
  const hits = Object.assign(document.createElement('span'), {
    className: 'hits small muted',
    textContent: '0 events',
  });
  try {
    entry.sub = client.subscribe(pattern, () => {
      entry.hits++;
      hits.textContent = `${entry.hits} event${entry.hits === 1 ? '' : 's'}`;
    });
  } catch (error) {
    return showError(ui.subError, error); // e.g. bad_request for a malformed pattern
  }
  const { sub, li } = entry;
  li.className = 'sub';
  li.dataset.testid = 'subscription-item';
  li.dataset.pattern = pattern;
  const name = Object.assign(document.createElement('span'), {
    className: 'pattern mono',
    textContent: pattern,
  });
  const pill = Object.assign(document.createElement('span'), {
    className: 'pill',
    textContent: sub.state,
  });
  pill.dataset.testid = 'subscription-state';
  pill.dataset.state = sub.state;
  const button = Object.assign(document.createElement('button'), {
    type: 'button',
    className: 'btn small danger',
    textContent: 'Unsubscribe',
  });
  button.dataset.testid = 'unsubscribe-button';
  button.addEventListener('click', () => sub.unsubscribe());
  li.append(name, pill, hits, button);
  subscriptions.set(pattern, entry);
  ui.subList.append(li);
  ui.subEmpty.hidden = true;

  sub.on('state', ({ to }) => {
    pill.textContent = to;
    pill.dataset.state = to;
  });
  // Ended by unsubscribe(), refused by the server (forbidden, limit_exceeded) or ended by it.
  sub.on('unsubscribed', ({ error }) => {
    if (error !== undefined) showError(ui.subError, error);
    if (subscriptions.get(pattern) === entry) subscriptions.delete(pattern);
    li.remove();
    ui.subEmpty.hidden = subscriptions.size > 0;
  });
}

// ---- publishing ------------------------------------------------------------------------

function readPublishForm() {
  const channel = ui.pubChannel.value.trim();
  const parsed = parseJson(ui.pubData.value);
  ui.pubData.setAttribute('aria-invalid', String(!parsed.ok));
  return { channel, parsed };
}

async function publishViaSocket(client) {
  hideError(ui.pubError);
  const { channel, parsed } = readPublishForm();
  if (!parsed.ok) return showError(ui.pubError, { code: 'bad_request', message: parsed.message });
  ui.pubButton.disabled = true;
  ui.pubResult.textContent =
    client.state === 'connected' ? 'publishing…' : 'queued until connected…';
  try {
    const r = await client.publish(channel, parsed.value);
    ui.pubResult.textContent = `✓ ${r.event_id} · cursor ${r.cursor}${r.duplicate ? ' (duplicate)' : ''}`;
    ui.pubResult.title = ui.pubResult.textContent;
  } catch (error) {
    ui.pubResult.textContent = '';
    showError(ui.pubError, error);
  } finally {
    ui.pubButton.disabled = false;
  }
}

/** The HTTP API body equivalent to the publish form, or undefined while its data is invalid. */
function httpBody() {
  const { channel, parsed } = readPublishForm();
  return parsed.ok ? JSON.stringify({ org: dev.org, channel, data: parsed.value }) : undefined;
}

function renderCurl() {
  const body = httpBody();
  ui.curl.textContent = [
    `curl -X POST ${shellQuote(`${location.origin}/api/publish`)} \\`,
    `  -H ${shellQuote(`Authorization: Bearer ${dev.apiKey}`)} \\`,
    `  -H 'Content-Type: application/json' \\`,
    `  -d ${body === undefined ? '# (fix the JSON data above first)' : shellQuote(body)}`,
  ].join('\n');
  ui.httpButton.disabled = body === undefined;
}

async function publishViaHttp() {
  hideError(ui.httpError);
  const body = httpBody();
  if (body === undefined) return;
  ui.httpResult.textContent = 'sending…';
  try {
    const res = await fetch('/api/publish', {
      method: 'POST',
      headers: { authorization: `Bearer ${dev.apiKey}`, 'content-type': 'application/json' },
      body,
    });
    const reply = await res.json().catch(() => ({}));
    if (!res.ok) {
      ui.httpResult.textContent = '';
      return showError(ui.httpError, {
        code: reply?.error?.code ?? `HTTP ${res.status}`,
        message: reply?.error?.message ?? res.statusText,
      });
    }
    ui.httpResult.textContent = `✓ HTTP ${res.status} · ${reply.event_id} · cursor ${reply.cursor}`;
    ui.httpResult.title = ui.httpResult.textContent;
  } catch (error) {
    ui.httpResult.textContent = '';
    showError(ui.httpError, error);
  }
}

// ---- event log -------------------------------------------------------------------------

function addEvent(event) {
  eventCount++;
  ui.eventCount.textContent = String(eventCount);
  const li = /** @type {HTMLElement} */ (
    ui.eventTemplate.content.firstElementChild.cloneNode(true)
  );
  li.dataset.channel = event.channel;
  li.dataset.eventId = event.event_id;
  byTestId('event-channel', li).textContent = event.channel;
  byTestId('event-id', li).textContent = event.event_id;
  byTestId('event-cursor', li).textContent = event.cursor;
  const time = byTestId('event-time', li);
  time.textContent = formatTime(event.ts);
  time.dateTime = event.ts;
  time.title = event.ts;
  if (event.from !== undefined) {
    const from = byTestId('event-from', li);
    from.querySelector('b').textContent = event.from;
    from.hidden = false;
  }
  byTestId('event-data', li).textContent = JSON.stringify(event.data, null, 2);
  ui.eventList.prepend(li);
  while (ui.eventList.childElementCount > MAX_EVENTS) ui.eventList.lastElementChild.remove();
  ui.eventEmpty.hidden = true;
}

function clearEvents() {
  eventCount = 0;
  ui.eventCount.textContent = '0';
  ui.eventList.replaceChildren();
  ui.eventEmpty.hidden = false;
}

// ---- boot ------------------------------------------------------------------------------

async function main() {
  renderState('disconnected');
  renderCurl();
  ui.clear.addEventListener('click', clearEvents);
  ui.banner.addEventListener('click', () => setBanner(undefined));
  ui.format.addEventListener('click', () => {
    const parsed = parseJson(ui.pubData.value);
    if (parsed.ok) ui.pubData.value = JSON.stringify(parsed.value, null, 2);
    else showError(ui.pubError, { code: 'bad_request', message: parsed.message });
  });
  for (const field of [ui.pubChannel, ui.pubData])
    field.addEventListener('input', () => {
      hideError(ui.pubError);
      renderCurl();
    });
  ui.copyCurl.addEventListener('click', () =>
    navigator.clipboard.writeText(ui.curl.textContent).then(
      () => blink(ui.copyCurl, 'Copied'),
      () => blink(ui.copyCurl, 'Copy failed'),
    ),
  );
  ui.httpButton.addEventListener('click', () => void publishViaHttp());

  try {
    dev = await loadDevInfo();
  } catch (error) {
    return setBanner('error', error);
  }
  renderCurl();
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  ui.endpoint.textContent = url;
  ui.user.textContent = dev.user;
  ui.org.textContent = dev.org;
  const client = new HubcastClient({
    url,
    token: dev.token,
    // After a 4501 (e.g. the dev server restarted with a new secret), fetch the new token.
    getToken: async () => {
      dev = await loadDevInfo();
      renderCurl();
      return dev.token;
    },
    client: { name: 'hubcast-dev-page', version: '1', device: 'browser' },
  });
  globalThis.hubcast = client;
  wire(client);
  ui.subForm.addEventListener('submit', (e) => {
    e.preventDefault();
    addSubscription(client, ui.subInput.value.trim());
  });
  ui.pubForm.addEventListener('submit', (e) => {
    e.preventDefault();
    void publishViaSocket(client);
  });
  document.body.dataset.ready = 'true';
  client.connect().catch(() => {}); // failures arrive as 'disconnected' / 'error'
}

void main();

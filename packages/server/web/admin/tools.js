/** The console's tools: publish an event, read a channel's history, disconnect a user. */
import { api, byId, el, showError } from './api.js';

const value = (id) => byId(id).value.trim();

function onSubmit(formId, run) {
  byId(formId).addEventListener('submit', (e) => {
    e.preventDefault();
    void run();
  });
}

export function setUpTools() {
  onSubmit('publish-form', async () => {
    const out = byId('publish-result');
    out.classList.remove('error');
    let data;
    try {
      data = JSON.parse(byId('publish-data').value);
    } catch {
      showError(out, 'data is not valid JSON');
      return;
    }
    try {
      const r = await api('/api/publish', {
        method: 'POST',
        body: { org: value('publish-org'), channel: value('publish-channel'), data },
      });
      out.textContent = `published ${r.event_id}${r.cursor === undefined ? '' : ` at ${r.cursor}`}`;
    } catch (err) {
      showError(out, err);
    }
  });

  onSubmit('history-form', async () => {
    const info = byId('history-info');
    info.classList.remove('error');
    try {
      const page = await api('/api/history', {
        query: {
          org: value('history-org'),
          channel: value('history-channel'),
          limit: value('history-limit'),
        },
      });
      info.textContent = `${page.events.length} event(s)${page.more ? ', more before' : ''}`;
      byId('history-list').replaceChildren(
        ...page.events.map((e) =>
          el(
            'li',
            { 'data-event-id': e.event_id },
            `${e.cursor ?? ''} ${e.channel} `,
            JSON.stringify(e.data),
          ),
        ),
      );
    } catch (err) {
      showError(info, err);
    }
  });

  onSubmit('disconnect-form', async () => {
    const out = byId('disconnect-result');
    out.classList.remove('error');
    try {
      const reason = value('disconnect-reason');
      const r = await api('/api/disconnect', {
        method: 'POST',
        body: {
          org: value('disconnect-org'),
          user: value('disconnect-user'),
          ...(reason === '' ? {} : { reason }),
        },
      });
      out.textContent = `closed ${r.closed} connection(s)`;
    } catch (err) {
      showError(out, err);
    }
  });
}

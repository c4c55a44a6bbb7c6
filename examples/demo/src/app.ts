/** The demo's page: connection state, bell and presence on top, workflow, then the dashboard. */
import { useConnectionState } from '@hubcast/vue';
import { defineComponent, h } from 'vue';
import { ChatPanel } from './chat-panel.js';
import { InventoryTable } from './inventory-table.js';
import { NotificationBell } from './notification-bell.js';
import { PresenceList } from './presence-list.js';
import { WorkflowView } from './workflow-view.js';

export const App = defineComponent({
  name: 'DemoApp',
  setup() {
    const connection = useConnectionState();
    return () =>
      h('main', [
        h('header', { class: 'top' }, [
          h('h1', 'hubcast demo'),
          h('span', { 'data-testid': 'connection', class: 'connection' }, connection.state.value),
          h(NotificationBell),
        ]),
        h('div', { class: 'side' }, [h(PresenceList), h(WorkflowView), h(ChatPanel)]),
        h(InventoryTable),
      ]);
  },
});

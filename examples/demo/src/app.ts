/** The demo's page: connection state, bell and presence on top, workflow, then the dashboard. */
import type { SharedHandle } from '@hubcast/client';
import { useConnectionState } from '@hubcast/vue';
import { defineComponent, h, type PropType } from 'vue';
import { ChatPanel } from './chat-panel.js';
import { DEMO_USERS } from './demo-users.js';
import { InventoryTable } from './inventory-table.js';
import { NotificationBell } from './notification-bell.js';
import { PresenceList } from './presence-list.js';
import { WorkflowView } from './workflow-view.js';

export const App = defineComponent({
  name: 'DemoApp',
  props: {
    /** The shared connection: its mode is shown (it can fall back while connecting). */
    shared: { type: Object as PropType<SharedHandle>, required: true },
    /** Who this tab is logged in as. */
    user: { type: String, required: true },
  },
  setup(props) {
    const connection = useConnectionState();
    return () =>
      h('main', [
        h('header', { class: 'top' }, [
          h('h1', 'hubcast demo'),
          h('span', { 'data-testid': 'connection', class: 'connection' }, connection.state.value),
          // After a reload the tab's cursor (kept in sessionStorage) lets the server replay
          // what was published meanwhile; `false` would mean it could not (a reset).
          connection.resumed.value === undefined
            ? null
            : h(
                'span',
                { 'data-testid': 'resumed', class: 'connection' },
                connection.resumed.value ? 'resumed' : 'not resumed: reloaded',
              ),
          // Read on each render: a state change re-renders, and the mode only changes while
          // connecting (a worker that failed to load falls back to a leader tab).
          h('span', { 'data-testid': 'sharing', class: 'connection' }, [
            props.shared.mode,
            props.shared.leader ? ' (this tab leads)' : '',
          ]),
          h('span', { class: 'who' }, [
            'as ',
            h('b', { 'data-testid': 'me' }, props.user),
            ' · open as ',
            // Another user in another tab: a connection of its own, the same chat and presence.
            ...DEMO_USERS.filter((u) => u !== props.user).flatMap((u, i) => [
              i === 0 ? '' : ', ',
              h('a', { href: `?user=${u}`, target: '_blank' }, u),
            ]),
          ]),
          h(NotificationBell),
        ]),
        h('div', { class: 'side' }, [h(PresenceList), h(WorkflowView), h(ChatPanel)]),
        h(InventoryTable),
      ]);
  },
});

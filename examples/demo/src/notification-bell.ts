/** The bell: the live unread count (the same in every tab and device), the inbox, mark read. */
import { useHubcast, useNotifications } from '@hubcast/vue';
import { defineComponent, h, ref } from 'vue';

export const NotificationBell = defineComponent({
  name: 'NotificationBell',
  setup() {
    const { unread, received, error, inbox } = useNotifications();
    const client = useHubcast();
    const open = ref(false);
    const send = (): void => {
      const title = `Restock alert ${new Date().toLocaleTimeString()}`;
      // To whoever is logged in to this tab (the demo's server checks it is a demo user).
      void fetch('/demo/notify', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title, user: client.session?.user }),
      });
    };
    return () =>
      h('section', { class: 'bell' }, [
        h('button', { 'data-testid': 'bell', onClick: () => (open.value = !open.value) }, [
          '🔔 ',
          h('span', { 'data-testid': 'unread' }, String(unread.value ?? '…')),
        ]),
        h('button', { 'data-testid': 'notify', onClick: send }, 'send me one'),
        h(
          'button',
          { 'data-testid': 'mark-all-read', onClick: () => void inbox.markAllRead() },
          'mark all read',
        ),
        error.value === undefined ? null : h('span', { class: 'error' }, error.value.message),
        open.value
          ? h(
              'ul',
              received.value.map((n) => h('li', { key: n.id }, n.title)),
            )
          : null,
      ]);
  },
});

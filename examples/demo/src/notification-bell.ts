/** The bell: the live unread count (the same in every tab and device), the inbox, mark read. */
import { useNotifications } from '@hubcast/vue';
import { defineComponent, h, ref } from 'vue';

export const NotificationBell = defineComponent({
  name: 'NotificationBell',
  setup() {
    const { unread, received, error, inbox } = useNotifications();
    const open = ref(false);
    const send = (): void => {
      void fetch('/demo/notify', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ title: `Restock alert ${new Date().toLocaleTimeString()}` }),
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

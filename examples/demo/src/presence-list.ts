/** Who has the demo open: presence of `demo.lobby`, with each user's connection count. */
import { usePresence } from '@hubcast/vue';
import { defineComponent, h } from 'vue';

export const LOBBY = 'demo.lobby';

export const PresenceList = defineComponent({
  name: 'PresenceList',
  setup() {
    const { members, count, status } = usePresence(LOBBY);
    return () =>
      h('section', { class: 'presence' }, [
        h('h2', ['Online ', h('span', { 'data-testid': 'presence-count' }, String(count.value))]),
        h('span', { class: 'muted' }, status.value),
        h(
          'ul',
          members.value.map((m) =>
            h('li', { key: m.user, 'data-user': m.user }, `${m.user} (${m.connections} tabs)`),
          ),
        ),
      ]);
  },
});

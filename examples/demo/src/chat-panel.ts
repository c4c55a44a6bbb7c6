/**
 * The chat room `lobby` with the service's features: send, edit, reply, thread, pin,
 * reactions, typing and read receipts, and day separators in the zone of the user's
 * `chat.profile` (set to the browser's zone when the profile has none).
 */
import type { ChatRoom } from '@hubcast/client';
import type { ChatMessage } from '@hubcast/protocol';
import { useChat, useConnectionState, useHubcast, useView } from '@hubcast/vue';
import {
  computed,
  defineComponent,
  h,
  onMounted,
  ref,
  shallowRef,
  watch,
  type PropType,
} from 'vue';
import { ChatMessageView, type MessageActions } from './chat-message.js';
import { withDaySeparators } from './day-separators.js';

export const CHAT_ROOM = 'lobby';
const TYPING_EVERY_MS = 2000;

/** The user's zone from `chat.profile`, set to the browser's zone on first use. */
function useProfileZone() {
  const client = useHubcast();
  const zone = ref(Intl.DateTimeFormat().resolvedOptions().timeZone);
  const error = ref<string>();
  const set = async (timeZone?: string): Promise<void> => {
    try {
      const profile = (await client.rpc(
        'chat.profile',
        timeZone === undefined ? {} : { time_zone: timeZone },
      )) as { time_zone?: string };
      if (profile.time_zone === undefined && timeZone === undefined) return set(zone.value);
      if (profile.time_zone !== undefined) zone.value = profile.time_zone;
      error.value = undefined;
    } catch (err) {
      error.value = (err as Error).message;
    }
  };
  onMounted(() => void set());
  return { zone, error, set };
}

const ThreadPanel = defineComponent({
  name: 'ThreadPanel',
  props: {
    room: { type: Object as PropType<ChatRoom>, required: true },
    rootId: { type: String, required: true },
    me: { type: String, required: true },
    timeZone: { type: String, required: true },
    actions: { type: Object as PropType<MessageActions>, required: true },
  },
  emits: ['close'],
  setup(props, { emit }) {
    const thread = props.room.openThread(props.rootId);
    const { snapshot } = useView(thread, () => thread.stop());
    const draft = ref('');
    const send = (): void => {
      if (draft.value.trim() === '') return;
      void thread.send(draft.value);
      draft.value = '';
    };
    return () =>
      h('aside', { class: 'thread' }, [
        h('header', [h('b', 'Thread'), h('button', { onClick: () => emit('close') }, 'close')]),
        h(
          'ul',
          snapshot.value.messages.map((m) =>
            h(ChatMessageView, {
              key: m.id,
              message: m,
              me: props.me,
              timeZone: props.timeZone,
              actions: props.actions,
              inThread: true,
            }),
          ),
        ),
        h('form', { onSubmit: (e: Event) => (e.preventDefault(), send()) }, [
          h('input', {
            value: draft.value,
            placeholder: 'reply in thread',
            onInput: (e: Event) => (draft.value = (e.target as HTMLInputElement).value),
          }),
        ]),
      ]);
  },
});

export const ChatPanel = defineComponent({
  name: 'ChatPanel',
  setup() {
    const chat = useChat(CHAT_ROOM);
    const connection = useConnectionState();
    const profile = useProfileZone();
    const me = computed(() => connection.session.value?.user ?? '');
    const draft = ref('');
    const replyTo = shallowRef<ChatMessage>();
    const editing = shallowRef<ChatMessage>();
    const threadRoot = ref<string>();
    const now = ref(new Date());
    let lastTypingMs = 0;

    const actions: MessageActions = {
      reply: (m) => ((replyTo.value = m), (editing.value = undefined)),
      edit: (m) => ((editing.value = m), (replyTo.value = undefined), (draft.value = m.text)),
      react: (m, emoji) => void chat.room.value.react(m.id, emoji),
      togglePin: (m) =>
        void (m.pinned_at ? chat.room.value.unpin(m.id) : chat.room.value.pin(m.id)),
      openThread: (m) => (threadRoot.value = m.id),
    };
    const submit = (): void => {
      const text = draft.value.trim();
      if (text === '') return;
      const room = chat.room.value;
      if (editing.value !== undefined) void room.edit(editing.value.id, text);
      else if (replyTo.value !== undefined) void room.reply(replyTo.value.id, text);
      else void room.send(text);
      draft.value = '';
      replyTo.value = editing.value = undefined;
    };
    const onInput = (e: Event): void => {
      draft.value = (e.target as HTMLInputElement).value;
      // The service takes one typing signal a second at most; every 2 s is plenty to show it.
      const nowMs = Date.now();
      if (nowMs - lastTypingMs < TYPING_EVERY_MS) return;
      lastTypingMs = nowMs;
      chat.room.value.typing().catch(() => undefined);
    };
    // Read receipts: what arrives while the room is open is read.
    watch(
      () => chat.messages.value.at(-1)?.id,
      (id) => {
        now.value = new Date();
        if (id !== undefined) chat.room.value.markRead(id).catch(() => undefined);
      },
    );
    const seenBy = computed(() => {
      const by = new Map<string, string[]>();
      for (const [user, id] of chat.reads.value)
        if (user !== me.value) by.set(id, [...(by.get(id) ?? []), user]);
      return by;
    });
    const rows = computed(() =>
      withDaySeparators(chat.messages.value, now.value, profile.zone.value),
    );

    return () =>
      h('section', { class: 'chat' }, [
        h('header', [
          h('h2', `#${CHAT_ROOM}`),
          h('span', { class: 'muted', 'data-testid': 'chat-status' }, chat.status.value),
          h('label', { class: 'zone' }, [
            ' time zone ',
            h('input', {
              value: profile.zone.value,
              'data-testid': 'time-zone',
              onChange: (e: Event) => void profile.set((e.target as HTMLInputElement).value),
            }),
          ]),
          profile.error.value === undefined
            ? null
            : h('span', { class: 'error' }, profile.error.value),
        ]),
        chat.pinned.value.length === 0
          ? null
          : h('div', { class: 'pinned' }, [
              '📌 ',
              chat.pinned.value.map((m) => m.text).join(' · '),
            ]),
        h(
          'ul',
          { class: 'messages', 'data-testid': 'messages' },
          rows.value.map((row) =>
            row.kind === 'day'
              ? h('li', { key: `day-${row.key}`, class: 'day', 'data-day': row.key }, row.label)
              : h(ChatMessageView, {
                  key: row.item.id,
                  message: row.item,
                  me: me.value,
                  timeZone: profile.zone.value,
                  seenBy: seenBy.value.get(row.item.id) ?? [],
                  actions,
                }),
          ),
        ),
        chat.pending.value.map((p) =>
          h('p', { key: p.clientId, class: 'muted' }, `${p.text} (${p.status})`),
        ),
        h(
          'p',
          { class: 'muted typing' },
          chat.typing.value.length === 0 ? '' : `${chat.typing.value.join(', ')} typing…`,
        ),
        h('form', { onSubmit: (e: Event) => (e.preventDefault(), submit()) }, [
          replyTo.value === undefined
            ? null
            : h('span', { class: 'muted' }, `replying to ${replyTo.value.user} `),
          editing.value === undefined ? null : h('span', { class: 'muted' }, 'editing '),
          h('input', {
            value: draft.value,
            placeholder: 'message',
            'data-testid': 'chat-input',
            onInput,
          }),
          h('button', { type: 'submit' }, editing.value === undefined ? 'send' : 'save'),
        ]),
        threadRoot.value === undefined
          ? null
          : h(ThreadPanel, {
              key: threadRoot.value,
              room: chat.room.value,
              rootId: threadRoot.value,
              me: me.value,
              timeZone: profile.zone.value,
              actions,
              onClose: () => (threadRoot.value = undefined),
            }),
      ]);
  },
});

/** One chat message: author, local time, text, reply quote, reactions, actions, read receipts. */
import type { ChatMessage } from '@hubcast/protocol';
import { defineComponent, h, type PropType } from 'vue';

export const REACTIONS = ['👍', '🎉', '👀'] as const;

export interface MessageActions {
  reply(message: ChatMessage): void;
  edit(message: ChatMessage): void;
  react(message: ChatMessage, emoji: string): void;
  togglePin(message: ChatMessage): void;
  openThread(message: ChatMessage): void;
}

export const ChatMessageView = defineComponent({
  name: 'ChatMessageView',
  props: {
    message: { type: Object as PropType<ChatMessage>, required: true },
    me: { type: String, required: true },
    timeZone: { type: String, required: true },
    /** Users (not me) whose read position is this message. */
    seenBy: { type: Array as PropType<readonly string[]>, default: () => [] },
    actions: { type: Object as PropType<MessageActions>, required: true },
    inThread: { type: Boolean, default: false },
  },
  setup(props) {
    const time = (iso: string): string =>
      new Intl.DateTimeFormat('en-GB', {
        timeZone: props.timeZone,
        hour: '2-digit',
        minute: '2-digit',
      }).format(new Date(iso));
    return () => {
      const m = props.message;
      const a = props.actions;
      const deleted = m.deleted_at !== undefined;
      return h('li', { class: 'message', 'data-message': m.id }, [
        m.reply_to === undefined
          ? null
          : h('blockquote', `${m.reply_to.user}: ${m.reply_to.excerpt}`),
        h('div', [
          h('b', m.user),
          h('span', { class: 'muted' }, ` ${time(m.created_at)}`),
          m.pinned_at === undefined ? null : h('span', { class: 'pin' }, ' 📌'),
          m.edited_at === undefined ? null : h('span', { class: 'muted' }, ' (edited)'),
        ]),
        h('p', { class: 'text' }, deleted ? '(deleted)' : m.text),
        h('div', { class: 'reactions' }, [
          ...Object.entries(m.reactions).map(([emoji, users]) =>
            h(
              'button',
              { class: users.includes(props.me) ? 'mine' : '', onClick: () => a.react(m, emoji) },
              `${emoji} ${users.length}`,
            ),
          ),
          ...REACTIONS.filter((e) => m.reactions[e] === undefined).map((emoji) =>
            h('button', { class: 'add', onClick: () => a.react(m, emoji) }, emoji),
          ),
        ]),
        deleted
          ? null
          : h('div', { class: 'actions' }, [
              h('button', { onClick: () => a.reply(m) }, 'reply'),
              props.inThread
                ? null
                : h(
                    'button',
                    { onClick: () => a.openThread(m) },
                    m.reply_count > 0 ? `thread (${m.reply_count})` : 'thread',
                  ),
              h('button', { onClick: () => a.togglePin(m) }, m.pinned_at ? 'unpin' : 'pin'),
              m.user === props.me ? h('button', { onClick: () => a.edit(m) }, 'edit') : null,
            ]),
        props.seenBy.length === 0
          ? null
          : h('div', { class: 'seen muted' }, `seen by ${props.seenBy.join(', ')}`),
      ]);
    };
  },
});

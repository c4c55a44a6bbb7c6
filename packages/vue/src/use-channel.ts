/** `useChannel(pattern)`: the recent events of a pattern, the subscription's state and error. */
import type { HubcastEvent, SubscriptionState } from '@hubcast/client';
import type { HubcastError } from '@hubcast/protocol';
import {
  onScopeDispose,
  ref,
  shallowRef,
  toValue,
  watch,
  type MaybeRefOrGetter,
  type Ref,
  type ShallowRef,
} from 'vue';
import { useHubcast } from './plugin.js';

export interface UseChannelOptions {
  /** How many recent events `events` keeps (default 100; 0 keeps none, see `onEvent`). */
  limit?: number;
  /** Called for each event, e.g. to feed a store. */
  onEvent?: (event: HubcastEvent) => void;
}

export interface ChannelRefs {
  /** The newest `limit` events, oldest first (a new array per event). */
  events: ShallowRef<readonly HubcastEvent[]>;
  last: ShallowRef<HubcastEvent | undefined>;
  state: Ref<SubscriptionState>;
  error: ShallowRef<HubcastError | undefined>;
}

/** Subscribes to `pattern` (a ref or getter re-subscribes on change); ends on scope dispose. */
export function useChannel(
  pattern: MaybeRefOrGetter<string>,
  options: UseChannelOptions = {},
): ChannelRefs {
  const client = useHubcast();
  const limit = options.limit ?? 100;
  const refs: ChannelRefs = {
    events: shallowRef([]),
    last: shallowRef(undefined),
    state: ref('subscribing'),
    error: shallowRef(undefined),
  };
  let stopCurrent: (() => void) | undefined;
  const follow = (name: string): void => {
    stopCurrent?.();
    refs.events.value = [];
    refs.last.value = undefined;
    refs.error.value = undefined;
    const sub = client.subscribe(name, (event) => {
      refs.last.value = event;
      if (limit > 0) refs.events.value = [...refs.events.value, event].slice(-limit);
      options.onEvent?.(event);
    });
    refs.state.value = sub.state;
    const offs = [
      sub.on('state', (ctx) => (refs.state.value = ctx.to)),
      sub.on('error', (ctx) => (refs.error.value = ctx.error)),
    ];
    stopCurrent = () => {
      for (const off of offs) off();
      sub.unsubscribe();
    };
  };
  watch(() => toValue(pattern), follow, { immediate: true });
  onScopeDispose(() => stopCurrent?.());
  return refs;
}

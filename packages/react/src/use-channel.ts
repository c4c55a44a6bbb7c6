/**
 * `useChannel(pattern, handler?)`: subscribes to a pattern while the component is mounted; a
 * new `pattern` re-subscribes. The handler may be a new function each render: the latest one
 * is called, once per event, and changing it does not re-subscribe.
 */
import type { HubcastEvent } from '@hubcast/client';
import { useLayoutEffect, useRef } from 'react';
import { ChannelView, type ChannelSnapshot } from './channel-view.js';
import { useHubcast } from './context.js';
import { useStartedView } from './use-view.js';

export interface UseChannelOptions {
  /** How many recent events `events` keeps (default 100; 0 keeps none, use the handler). */
  limit?: number;
}

/** The channel's newest events, its subscription state and error. */
export function useChannel(
  pattern: string,
  handler?: (event: HubcastEvent) => void,
  options: UseChannelOptions = {},
): ChannelSnapshot {
  const connection = useHubcast();
  const limit = options.limit ?? 100;
  const handlerRef = useRef(handler);
  useLayoutEffect(() => {
    handlerRef.current = handler;
  });
  const { snapshot } = useStartedView(
    () => new ChannelView(connection, pattern, limit, (event) => handlerRef.current?.(event)),
    [connection, pattern, limit],
  );
  return snapshot;
}

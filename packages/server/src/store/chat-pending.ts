/**
 * TEMPORARY (removed once chat-sqlite.ts and chat-postgres.ts land on this branch): a ChatStore
 * whose every call rejects with `StoreUnavailableError`, so SQLite and PostgreSQL build while
 * only the memory backend exists.
 */
import type { ChatStore } from './chat-store.js';
import { StoreUnavailableError } from './store.js';

export function pendingChatStore(backend: string): ChatStore {
  return new Proxy({} as ChatStore, {
    get: () => () =>
      Promise.reject(new StoreUnavailableError(`chat is not in the ${backend} store yet`)),
  });
}

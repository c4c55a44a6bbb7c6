/** The memory store's push outbox, which the inbox and chat write into (see `PendingPush`). */
import type { JsonValue } from '@hubcast/protocol';
import type { PendingPush } from './store.js';

/** Pending pushes by id: a Map keeps insertion order, which is id order. */
export class MemoryOutbox {
  private readonly pushes = new Map<number, PendingPush>();
  private lastId = 0;

  add(org: string, user: string, channel: string, data: JsonValue): void {
    const id = ++this.lastId;
    this.pushes.set(id, { id: String(id), org, user, channel, data });
  }

  pending(limit: number): PendingPush[] {
    return [...this.pushes.values()].slice(0, limit);
  }

  done(ids: readonly string[]): void {
    for (const id of ids) this.pushes.delete(Number(id));
  }
}

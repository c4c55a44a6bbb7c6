/**
 * A tab's calls in flight to the hub (publish, history, rpc, …), and which hub each went to.
 * When the hub changes (a new leader) they are sent again, except an `rpc` a hub that is gone
 * may have run: a service method may not be idempotent, while a publish carries its
 * idempotency key and the others only read. A call the tab could not send yet (no link, or
 * no hub heard of) is sent when one is; the hub ignores a call id it already has, so sending
 * it again to the hub that had it runs it once.
 */
import { unavailable, type HubcastError, type JsonValue } from '@hubcast/protocol';
import type { CallMethod } from './messages.js';

/** Where a call went: not sent, sent to a hub the tab had not heard from yet, or to this hub. */
type SentTo = { kind: 'unsent' } | { kind: 'unknown' } | { kind: 'hub'; hub: string };

interface PendingCall {
  method: CallMethod;
  args: JsonValue[];
  sentTo: SentTo;
  resolve(value: JsonValue): void;
  reject(error: HubcastError): void;
}

/** How the calls reach the hub. */
export interface CallLink {
  /** Sends the call; false when the tab has no link to a hub yet. */
  send(id: number, method: CallMethod, args: JsonValue[]): boolean;
  /** The hub the tab last heard from, if any. */
  hub(): string | undefined;
}

export class TabCalls {
  private readonly calls = new Map<number, PendingCall>();

  constructor(private readonly link: CallLink) {}

  start(id: number, method: CallMethod, args: JsonValue[]): Promise<JsonValue> {
    return new Promise<JsonValue>((resolve, reject) => {
      const call: PendingCall = { method, args, sentTo: { kind: 'unsent' }, resolve, reject };
      this.calls.set(id, call);
      this.sendOne(id, call);
    });
  }

  /** The hub's answer; the first answer wins (an old hub may still answer a resent call). */
  settle(id: number, value: JsonValue | undefined, error: HubcastError | undefined): void {
    const call = this.calls.get(id);
    if (call === undefined) return;
    this.calls.delete(id);
    if (error !== undefined) call.reject(error);
    else call.resolve(value ?? null);
  }

  /** The link is up: sends the calls made before it. */
  sendUnsent(): void {
    for (const [id, call] of this.calls) if (call.sentTo.kind === 'unsent') this.sendOne(id, call);
  }

  /** The first hub the tab hears from answered its hello: it has every call sent since. */
  adopt(hub: string): void {
    for (const call of this.calls.values())
      if (call.sentTo.kind === 'unknown') call.sentTo = { kind: 'hub', hub };
  }

  /** A new hub is the tab's (`hub()` says which): sends it every call it may not have. */
  moveTo(hub: string): void {
    for (const [id, call] of this.calls) {
      const { sentTo } = call;
      if (sentTo.kind === 'hub' && sentTo.hub === hub) continue;
      if (sentTo.kind === 'hub' && call.method === 'rpc') {
        // The hub that had it is gone: it may have run it, so it is not run again.
        this.calls.delete(id);
        call.reject(unavailable('the connection moved to another tab during the call'));
        continue;
      }
      this.sendOne(id, call);
    }
  }

  failAll(error: HubcastError): void {
    const calls = [...this.calls.values()];
    this.calls.clear();
    for (const call of calls) call.reject(error);
  }

  private sendOne(id: number, call: PendingCall): void {
    if (!this.link.send(id, call.method, call.args)) return;
    const hub = this.link.hub();
    call.sentTo = hub === undefined ? { kind: 'unknown' } : { kind: 'hub', hub };
  }
}

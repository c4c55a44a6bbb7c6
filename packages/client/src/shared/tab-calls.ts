/**
 * A tab's calls in flight to the hub (publish, history, rpc, …), and which hub each went to.
 * A call waits until the tab knows its hub (a hub answered its hello, or announced itself):
 * sent to no hub in particular, it could not be told apart later from one a gone hub ran.
 * When the hub changes (a new leader) the calls are sent again, except an `rpc` the gone hub
 * had: a service method may not be idempotent, while a publish carries its idempotency key
 * and the others only read.
 */
import { unavailable, type HubcastError, type JsonValue } from '@hubcast/protocol';
import type { CallMethod } from './messages.js';

interface PendingCall {
  method: CallMethod;
  args: JsonValue[];
  /** The hub it was sent to; `undefined` while not sent. */
  sentTo: string | undefined;
  resolve(value: JsonValue): void;
  reject(error: HubcastError): void;
}

/** How the calls reach the hub. */
export interface CallLink {
  /** Sends the call to `hub()`. */
  send(id: number, method: CallMethod, args: JsonValue[]): void;
  /** The tab's hub, once one answered or announced itself (and the tab has a link). */
  hub(): string | undefined;
}

export class TabCalls {
  private readonly calls = new Map<number, PendingCall>();

  constructor(private readonly link: CallLink) {}

  start(id: number, method: CallMethod, args: JsonValue[]): Promise<JsonValue> {
    return new Promise<JsonValue>((resolve, reject) => {
      const call: PendingCall = { method, args, sentTo: undefined, resolve, reject };
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

  /** The tab's hub is `hub` now: sends it every call it does not have. */
  moveTo(hub: string): void {
    for (const [id, call] of this.calls) {
      if (call.sentTo === hub) continue;
      if (call.sentTo !== undefined && call.method === 'rpc') {
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
    const hub = this.link.hub();
    if (hub === undefined) return; // sent by moveTo once the tab knows its hub
    this.link.send(id, call.method, call.args);
    call.sentTo = hub;
  }
}

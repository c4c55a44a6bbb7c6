/**
 * A tab's calls in flight to the hub (publish, history, rpc, …). When the hub changes (a new
 * leader) they are sent again, except `rpc`: a service method may not be idempotent, while a
 * publish carries its idempotency key and the others only read.
 */
import { unavailable, type HubcastError, type JsonValue } from '@hubcast/protocol';
import type { CallMethod } from './messages.js';

interface PendingCall {
  method: CallMethod;
  args: JsonValue[];
  resolve(value: JsonValue): void;
  reject(error: HubcastError): void;
}

export class TabCalls {
  private readonly calls = new Map<number, PendingCall>();

  /** `send` sends it now (and again on `resend`). */
  constructor(private readonly send: (id: number, method: CallMethod, args: JsonValue[]) => void) {}

  start(id: number, method: CallMethod, args: JsonValue[]): Promise<JsonValue> {
    return new Promise<JsonValue>((resolve, reject) => {
      this.calls.set(id, { method, args, resolve, reject });
      this.send(id, method, args);
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

  resend(): void {
    for (const [id, call] of this.calls) {
      if (call.method === 'rpc') {
        this.calls.delete(id);
        call.reject(unavailable('the connection moved to another tab during the call'));
        continue;
      }
      this.send(id, call.method, call.args);
    }
  }

  failAll(error: HubcastError): void {
    const calls = [...this.calls.values()];
    this.calls.clear();
    for (const call of calls) call.reject(error);
  }
}

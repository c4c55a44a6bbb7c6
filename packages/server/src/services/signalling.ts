/**
 * Call signalling for WebRTC (docs/ephemeral.md §10): `signal.send {to, data}` hands an offer,
 * answer or ICE candidate to another user of the caller's tenant as an ephemeral event on
 * `user.<to>.signal`, with `from` = the caller. Nothing is stored: a callee that is not
 * connected simply misses it (signalling is worthless a few seconds later anyway).
 */
import {
  badRequest,
  isObject,
  isValidSegment,
  jsonDepthExceeds,
  notFound,
  rateLimited,
  tooLarge,
  type JsonValue,
} from '@hubcast/protocol';
import { takeToken, type BucketState } from '../limits/token-bucket.js';

/** The most one `data` may take as JSON text (UTF-8 bytes): an SDP with video and simulcast fits. */
export const SIGNAL_DATA_MAX_BYTES = 32 * 1024;
/** Signals per second per user per node, and the burst: trickled ICE comes in quick runs. */
export const SIGNAL_RATE_PER_SECOND = 20;
export const SIGNAL_BURST = 60;
/** Users whose buckets one node keeps; past it, full buckets (idle users) are swept. */
const MAX_TRACKED_USERS = 10_000;

export interface SignallingDeps {
  /** `node.publishEphemeral`: trusted, reaches only the owner of a personal channel. */
  publishEphemeral(org: string, channel: string, data: JsonValue, from: string): Promise<string>;
  /** Charges one event to the tenant's publish quota; throws limit_exceeded past it. */
  chargePublishes(org: string, events: number): void;
  maxDataDepth: number;
  nowMs?: () => number;
}

/** The personal channel a user's signals arrive on. */
export const signalChannel = (user: string): string => `user.${user}.signal`;

export class SignallingService {
  private readonly buckets = new Map<string, BucketState>();

  constructor(private readonly deps: SignallingDeps) {}

  /** An `rpc` in the `signal.` namespace, for the caller `user` of `org`. */
  async rpc(org: string, user: string, method: string, params: unknown): Promise<JsonValue> {
    if (method !== 'signal.send') throw notFound(`unknown rpc method '${method.slice(0, 64)}'`);
    if (!isObject(params)) throw badRequest("'params' must be an object {to, data}");
    const to = params['to'];
    if (typeof to !== 'string' || !isValidSegment(to))
      throw badRequest("'to' must be a user id (one channel segment)");
    // A user's own devices would get their own offer back: a loop, never a call.
    if (to === user) throw badRequest("'to' is the caller: a call needs another user");
    if (!('data' in params)) throw badRequest("'data' is required (an offer, answer or candidate)");
    const data = params['data'] as JsonValue;
    if (jsonDepthExceeds(data, this.deps.maxDataDepth))
      throw badRequest(`'data' nests deeper than ${this.deps.maxDataDepth} levels`);
    if (Buffer.byteLength(JSON.stringify(data) ?? 'null') > SIGNAL_DATA_MAX_BYTES)
      throw tooLarge(`'data' is larger than ${SIGNAL_DATA_MAX_BYTES} bytes as JSON`);
    this.take(org, user);
    this.deps.chargePublishes(org, 1);
    const eventId = await this.deps.publishEphemeral(org, signalChannel(to), data, user);
    return { event_id: eventId };
  }

  /** The caller's signal budget on this node; `rate_limited` past it. */
  private take(org: string, user: string): void {
    const nowMs = (this.deps.nowMs ?? Date.now)();
    const key = `${org}\0${user}`;
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      if (this.buckets.size >= MAX_TRACKED_USERS) this.sweep(nowMs);
      bucket = { rateTokens: SIGNAL_BURST, rateRefilledMs: nowMs };
      this.buckets.set(key, bucket);
    }
    if (!takeToken(bucket, nowMs, SIGNAL_RATE_PER_SECOND, SIGNAL_BURST))
      throw rateLimited(`at most ${SIGNAL_RATE_PER_SECOND} signals per second`);
  }

  /**
   * Forgets the buckets that have refilled (their user would start full anyway). Should every
   * one still be draining (a flood of new users), the oldest go: a bounded map beats a fair one.
   */
  private sweep(nowMs: number): void {
    for (const [key, b] of this.buckets) {
      const refilled = b.rateTokens + ((nowMs - b.rateRefilledMs) * SIGNAL_RATE_PER_SECOND) / 1000;
      if (refilled >= SIGNAL_BURST) this.buckets.delete(key);
    }
    for (const key of this.buckets.keys()) {
      if (this.buckets.size < MAX_TRACKED_USERS) break;
      this.buckets.delete(key);
    }
  }
}

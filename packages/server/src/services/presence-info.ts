/**
 * `presence.setInfo` (docs/presence.md "Info updates"): a connection replaces its presence
 * info without reconnecting, on every channel it is present in and for later subscriptions.
 *
 * Per connection, not per channel (Ably's `presence.update(data)` is per channel, Phoenix's
 * `Presence.update` per topic): in hubcast presence is implicit, a connection is present on
 * every concrete channel it subscribes to, and its info comes once per connection from the
 * token. A status ("away", a status text) belongs to the person at that device, not to one
 * channel; a client that wants per-channel data publishes it on the channel. An optional
 * `channel` can be added later without breaking this call, so unknown params are refused now.
 */
import {
  badRequest,
  isObject,
  jsonDepthExceeds,
  notFound,
  rateLimited,
  tooLarge,
  type JsonValue,
} from '@hubcast/protocol';
import {
  fullBucket,
  secondsUntilToken,
  takeToken,
  type BucketState,
} from '../limits/token-bucket.js';
import type { PresenceSubject } from './presence-tracker.js';

/** Containers `info` may nest (`{}` counts 1): a profile or status needs two or three. */
export const PRESENCE_INFO_MAX_DEPTH = 8;
/**
 * Info updates one connection may make at once, then per second: each fans out to every
 * watcher of every channel the connection is in, so a client cannot turn a loop into a storm.
 */
export const PRESENCE_INFO_BURST = 5;
export const PRESENCE_INFO_PER_SECOND = 1;

/** The part of a session this service reads and writes. */
export interface InfoSession extends PresenceSubject {
  info: JsonValue | undefined;
  infoAtMs: number;
  infoSetByClient: boolean;
  /** The connection's subscriptions by pattern: the concrete ones are its presence. */
  readonly subscriptions: ReadonlyMap<string, unknown>;
}

export interface PresenceInfoDeps {
  /** `presenceInfoMaxBytes`: the longest `info` as JSON, in UTF-8 bytes. */
  maxInfoBytes: number;
  /** The tracker's `updateInfo`: replaces the entries, pushes the update; resolves the count. */
  updateInfo(session: InfoSession, channels: readonly string[]): Promise<number>;
}

export class PresenceInfoService {
  /** Per connection, gone with it: no field on every session for a call most never make. */
  private readonly buckets = new WeakMap<InfoSession, BucketState>();

  constructor(private readonly deps: PresenceInfoDeps) {}

  /** The door for `presence.*` rpc methods. */
  async rpc(
    session: InfoSession,
    method: string,
    params: JsonValue | undefined,
  ): Promise<JsonValue> {
    if (method !== 'presence.setInfo')
      throw notFound(`unknown rpc method '${method.slice(0, 64)}'`);
    const info = this.validate(params);
    this.charge(session);
    session.info = info;
    session.infoAtMs = Date.now();
    session.infoSetByClient = true;
    const channels = [...session.subscriptions.keys()].filter(isConcrete);
    return { channels: await this.deps.updateInfo(session, channels) };
  }

  /** `{info}` with `info` a JSON object within the size and depth caps; nothing else. */
  private validate(params: JsonValue | undefined): JsonValue {
    if (!isObject(params)) throw badRequest('presence.setInfo needs params {info}');
    for (const key of Object.keys(params))
      if (key !== 'info') throw badRequest(`presence.setInfo takes no '${key.slice(0, 64)}'`);
    const info = params['info'];
    if (!isObject(info)) throw badRequest("'info' must be a JSON object");
    // Depth first: it is iterative, and JSON.stringify of a deep value would overflow.
    if (jsonDepthExceeds(info, PRESENCE_INFO_MAX_DEPTH))
      throw badRequest(`'info' nests deeper than ${PRESENCE_INFO_MAX_DEPTH} levels`);
    const bytes = Buffer.byteLength(JSON.stringify(info));
    if (bytes > this.deps.maxInfoBytes)
      throw tooLarge(`'info' is ${bytes} bytes as JSON, more than ${this.deps.maxInfoBytes}`);
    return info;
  }

  private charge(session: InfoSession): void {
    const now = Date.now();
    let bucket = this.buckets.get(session);
    if (bucket === undefined)
      this.buckets.set(session, (bucket = fullBucket(PRESENCE_INFO_BURST, now)));
    if (takeToken(bucket, now, PRESENCE_INFO_PER_SECOND, PRESENCE_INFO_BURST)) return;
    const retryAfter = Math.ceil(secondsUntilToken(bucket, PRESENCE_INFO_PER_SECOND) * 1000) / 1000;
    throw rateLimited(
      `at most ${PRESENCE_INFO_BURST} info updates at once, then ${PRESENCE_INFO_PER_SECOND} per second`,
      { details: { retry_after: retryAfter } },
    );
  }
}

const isConcrete = (p: string): boolean => !p.includes('*') && !p.includes('>');

/**
 * The cluster broker on Redis pub/sub (issue 11). Every node subscribes to all broker shard
 * channels (redis/keys.ts says why) and to its own node channel.
 *
 * Events normally reach it already published by the Redis log's append script, as event lines
 * (redis/event-line.ts); `publish` carries everything else as JSON. Pub/sub is at-most-once:
 * when the subscriber connection comes back after a loss, the handler gets `lost`, and the node
 * catches up from the log (fanout/log-order.ts).
 */
import type { Redis } from 'ioredis';
import type { LogEvent } from '../log/log.js';
import { decodeEventsMessage, type DecodedEvents } from '../redis/event-line.js';
import { BROKER_SHARDS, type RedisKeys } from '../redis/keys.js';
import { connectRedis } from '../redis/connect.js';
import { redisFailure } from '../redis/errors.js';
import type { Broker, BrokerHandler, BrokerMessage } from './broker.js';

export interface RedisBrokerOptions {
  /** `start()` opens two connections to it (publish, subscribe); `close()` quits them. */
  url: string;
  keys: RedisKeys;
  nodeId: string;
  /** Decodes the log's event lines (the Redis log knows the epoch hash of each org). */
  eventsOf(message: DecodedEvents): LogEvent[];
}

/** The JSON form of a message on the wire, with the publishing node. */
type WireMessage = BrokerMessage & { node: string };

export class RedisBroker implements Broker {
  private handler: BrokerHandler | undefined;
  private connections: { redis: Redis; subscriber: Redis } | undefined;
  /** Set once the subscriber lost its connection, until it is back and the handler heard. */
  private lostConnection = false;

  constructor(private readonly options: RedisBrokerOptions) {}

  async start(handler: BrokerHandler): Promise<void> {
    const { url } = this.options;
    const redis = await connectRedis({ url, name: 'broker' }).catch((err: unknown) => {
      throw redisFailure('broker', err);
    });
    const subscriber = await connectRedis({ url, name: 'subscriber' }).catch((err: unknown) => {
      redis.disconnect();
      throw redisFailure('broker', err);
    });
    this.connections = { redis, subscriber };
    this.handler = handler;
    subscriber.on('message', this.onMessage);
    subscriber.on('close', this.onClose);
    subscriber.on('ready', this.onReady);
    try {
      await this.subscribeAll(subscriber);
    } catch (err) {
      await this.close();
      throw redisFailure('broker', err);
    }
  }

  private subscribeAll(subscriber: Redis): Promise<unknown> {
    const { keys, nodeId } = this.options;
    const channels = Array.from({ length: BROKER_SHARDS }, (_, i) => keys.shardChannelOf(i));
    return subscriber.subscribe(...channels, keys.nodeChannel(nodeId));
  }

  async publish(message: BrokerMessage): Promise<number> {
    if (message.kind === 'lost') return 0;
    const { keys, nodeId } = this.options;
    const redis = this.connections?.redis;
    if (redis === undefined) throw redisFailure('broker', new Error('Connection is closed'));
    let channel: string;
    if (message.kind === 'answer') channel = keys.nodeChannel(message.to);
    else {
      const org =
        message.kind === 'events'
          ? message.events[0]?.org
          : message.kind === 'ephemeral'
            ? message.event.org
            : message.org;
      if (org === undefined) return 0;
      channel = keys.shardChannel(org);
    }
    const wire: WireMessage = { ...message, node: nodeId };
    try {
      return await redis.publish(channel, JSON.stringify(wire));
    } catch (err) {
      throw redisFailure('broker', err);
    }
  }

  async check(): Promise<void> {
    const connections = this.connections;
    if (connections?.subscriber.status !== 'ready')
      throw redisFailure('broker', new Error('Connection is closed (subscriber)'));
    try {
      await connections.redis.ping();
    } catch (err) {
      throw redisFailure('broker', err);
    }
  }

  async close(): Promise<void> {
    const connections = this.connections;
    this.connections = undefined;
    this.handler = undefined;
    if (connections === undefined) return;
    const { redis, subscriber } = connections;
    subscriber.off('message', this.onMessage);
    subscriber.off('close', this.onClose);
    subscriber.off('ready', this.onReady);
    await Promise.all([
      subscriber.quit().catch(() => subscriber.disconnect()),
      redis.quit().catch(() => redis.disconnect()),
    ]);
  }

  private readonly onMessage = (_channel: string, payload: string): void => {
    const handler = this.handler;
    if (handler === undefined) return;
    let message: BrokerMessage;
    let node: string;
    try {
      if (payload.startsWith('{')) {
        ({ node, ...message } = JSON.parse(payload) as WireMessage);
      } else {
        const decoded = decodeEventsMessage(payload);
        if (decoded === undefined) return;
        node = decoded.node;
        const skip = decoded.skipSession;
        message = {
          kind: 'events',
          events: this.options.eventsOf(decoded),
          ...(skip === undefined ? {} : { skipSession: skip }),
        };
      }
    } catch {
      // A payload no hubcast node wrote (another program on our channel names): ignored.
      return;
    }
    handler(message, { node });
  };

  private readonly onClose = (): void => {
    this.lostConnection = true;
  };

  /**
   * Back after a loss; anything sent meanwhile is gone. ioredis subscribes again on its own,
   * but after 'ready': our own subscribe, answered after those on the same connection, says
   * when the channels are live again, and only then may the node read the log's heads, or an
   * event published in between would be neither received nor read.
   */
  private readonly onReady = (): void => {
    if (!this.lostConnection) return;
    this.lostConnection = false;
    const subscriber = this.connections?.subscriber;
    if (subscriber === undefined) return;
    this.subscribeAll(subscriber).then(
      () => this.handler?.({ kind: 'lost' }, { node: this.options.nodeId }),
      // Lost again at once: the next 'ready' tries again.
      () => (this.lostConnection = true),
    );
  };
}

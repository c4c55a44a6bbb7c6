/**
 * The ephemeral publish path (docs/ephemeral.md): no log, no idempotency; the event goes to the
 * broker, which hands it to every node's fan-out (the local broker within this call, Redis to
 * every node of the cluster, this one included).
 */
import {
  badRequest,
  explainBadName,
  forbidden,
  jsonDepthExceeds,
  type JsonValue,
} from '@hubcast/protocol';
import type { Broker } from '../broker/broker.js';
import type { Config } from '../config/schema.js';
import { matchesAny, type EphemeralEvent } from './ephemeral-event.js';

export interface EphemeralInput {
  channel: string;
  data: JsonValue;
  from?: string;
}

export class EphemeralPublisher {
  private counter = 0;

  constructor(
    private readonly broker: Broker,
    /** The node's id on the broker: ids stay unique across the nodes of a tenant. */
    private readonly nodeId: string,
    private readonly config: Pick<Config, 'ephemeralChannels' | 'maxDataDepth'>,
  ) {}

  /**
   * Refuses an ephemeral publish by a client or the HTTP API outside `ephemeralChannels`
   * (`forbidden`): a durable channel's readers rely on its log, which such a publish skips.
   */
  requireEphemeralChannel(channel: string): void {
    if (!matchesAny(this.config.ephemeralChannels, channel))
      throw forbidden(`'${channel}' does not take ephemeral publishes (ephemeralChannels)`);
  }

  /**
   * Fans `item` out on `org`; resolves once the broker took it. The caller checked grants,
   * `ephemeralChannels` and quotas as its door requires; the name and nesting are checked here.
   */
  async publish(org: string, item: EphemeralInput, skipSession?: string): Promise<EphemeralEvent> {
    const why = explainBadName(item.channel, false);
    if (why !== undefined) throw badRequest(`'channel' ${why}`);
    if (jsonDepthExceeds(item.data, this.config.maxDataDepth))
      throw badRequest(`'data' nests deeper than ${this.config.maxDataDepth} levels`);
    let dataJson: string;
    try {
      dataJson = JSON.stringify(item.data ?? null);
    } catch (err) {
      throw badRequest('data cannot be serialized', { cause: err });
    }
    const event: EphemeralEvent = {
      org,
      channel: item.channel,
      eventId: `~${this.nodeId}${(this.counter++).toString(36)}`,
      tsMs: Date.now(),
      dataJson,
      ...(item.from === undefined ? {} : { from: item.from }),
    };
    await this.broker.publish(
      skipSession === undefined
        ? { kind: 'ephemeral', event }
        : { kind: 'ephemeral', event, skipSession },
    );
    return event;
  }
}

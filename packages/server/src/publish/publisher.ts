/**
 * The publish path shared by client publishes, the HTTP API and the services: append to the
 * log, then hand the new events to the broker, choosing how they fan out. An append no other
 * publish competes with goes straight to the sockets during the fan-out pass (lowest latency,
 * as a plain hub would; an array on one channel as one frame); appends that come together
 * (concurrent publishes, a burst within one loop turn) are queued and merged into one frame
 * per connection (fewest writes).
 */
import type { Broker } from '../broker/broker.js';
import type { FanOut } from '../fanout/fan-out.js';
import {
  isBroadcastingLog,
  type AppendInput,
  type AppendResult,
  type EventLog,
  type LogEvent,
} from '../log/log.js';
import type { Metrics } from '../metrics/metrics.js';

export interface PublisherDeps {
  /** The log open now (it throws while none is). */
  log(): EventLog;
  broker: Broker;
  fanOut: FanOut;
  metrics: Metrics;
}

export class Publisher {
  private inFlight = 0;
  /**
   * Set by a fan-out until the event loop reaches its check phase: publishes arriving in the
   * same turn (requests read together) are a burst, and bursts queue and merge.
   */
  private burst = false;
  private readonly endBurst = (): void => {
    this.burst = false;
  };

  constructor(private readonly deps: PublisherDeps) {}

  /** Appends (keys already scoped) and fans out; `skipSession` gets no echo. */
  async publish(
    org: string,
    items: readonly AppendInput[],
    skipSession?: string,
  ): Promise<AppendResult[]> {
    const { fanOut, metrics } = this.deps;
    this.inFlight++;
    try {
      const log = this.deps.log();
      // A broadcasting log (Redis) published the events in its append: every node, this one
      // included, receives them from the broker in log order.
      if (isBroadcastingLog(log)) {
        const results = await log.appendAndBroadcast(org, items, skipSession);
        let fresh = 0;
        for (const r of results) if (!r.duplicate) fresh++;
        if (fresh > 0) metrics.countPublished(org, fresh);
        return results;
      }
      const results = await log.append(org, items);
      const events: LogEvent[] = [];
      for (const r of results) if (!r.duplicate) events.push(r.event);
      fanOut.direct = this.inFlight === 1 && !this.burst;
      let sent: Promise<number> | undefined;
      try {
        if (events.length > 0)
          sent = this.deps.broker.publish(
            skipSession === undefined
              ? { kind: 'events', events }
              : { kind: 'events', events, skipSession },
          );
      } finally {
        fanOut.direct = false;
        if (!this.burst && events.length > 0) {
          this.burst = true;
          setImmediate(this.endBurst);
        }
      }
      await sent;
      if (events.length > 0) metrics.countPublished(org, events.length);
      return results;
    } finally {
      this.inFlight--;
    }
  }
}

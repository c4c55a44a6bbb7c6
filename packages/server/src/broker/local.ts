import type { Broker, BrokerHandler, BrokerMessage, BrokerOrigin } from './broker.js';

/** Single-node broker: hands each message straight to the node, in order. */
export class LocalBroker implements Broker {
  private handler: BrokerHandler | undefined;
  private readonly origin: BrokerOrigin;

  constructor(nodeId = 'local') {
    this.origin = { node: nodeId };
  }

  start(handler: BrokerHandler): Promise<void> {
    this.handler = handler;
    return Promise.resolve();
  }

  publish(message: BrokerMessage): Promise<number> {
    const handler = this.handler;
    handler?.(message, this.origin);
    return Promise.resolve(handler === undefined ? 0 : 1);
  }

  check(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.handler = undefined;
    return Promise.resolve();
  }
}

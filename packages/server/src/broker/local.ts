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

  publish(message: BrokerMessage): Promise<void> {
    this.handler?.(message, this.origin);
    return Promise.resolve();
  }

  check(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.handler = undefined;
    return Promise.resolve();
  }
}

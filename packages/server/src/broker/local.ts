import type { Broker, BrokerHandler, BrokerMessage } from './broker.js';

/** Single-node broker: hands each message straight to the node, in order. */
export class LocalBroker implements Broker {
  private handler: BrokerHandler | undefined;

  start(handler: BrokerHandler): Promise<void> {
    this.handler = handler;
    return Promise.resolve();
  }

  publish(message: BrokerMessage): Promise<void> {
    this.handler?.(message);
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.handler = undefined;
    return Promise.resolve();
  }
}

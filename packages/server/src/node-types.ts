/**
 * What `createNode` takes and gives (node.ts): the engines a caller may pass in instead of the
 * ones the config names, and the handle of a running node.
 */
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { JsonValue } from '@hubcast/protocol';
import type { ApiNode } from './api/api-call.js';
import type { Broker } from './broker/broker.js';
import type { Config } from './config/schema.js';
import type { EventLog } from './log/log.js';
import type { Metrics } from './metrics/metrics.js';
import type { Presence } from './presence/presence.js';
import type { PushDeps } from './services/push/push-service.js';
import type { Store } from './store/store.js';

export interface NodeDeps {
  log?: EventLog;
  /** The services' data; by default opened by start() as `config.store` says. */
  store?: Store;
  broker?: Broker;
  presence?: Presence;
  logger?: Logger;
  /** Web Push's collaborators (docs/push.md): who is online, time zones, clock, provider. */
  push?: PushDeps;
  /** Serves extra routes (the dev web page) before the API answers 404. */
  staticHandler?: ApiNode['staticHandler'];
}

export interface HubcastNode {
  start(): Promise<void>;
  /** Graceful shutdown: stop accepting, tell clients to reconnect, close them with 4000. */
  drain(): Promise<void>;
  /** Drain, then release everything. Safe to call twice. */
  stop(): Promise<void>;
  address(): AddressInfo;
  /** Reads `--tls-cert` and `--tls-key` again; open connections keep going. Throws when bad. */
  reloadTls(): void;
  readonly config: Config;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /**
   * For the node's services (typing indicators, call signalling): fans one ephemeral event out
   * on `org`'s `channel`, live only (docs/ephemeral.md). Trusted: no grant, `ephemeralChannels`
   * or quota check; personal channels reach only their owner. Resolves with the event id.
   */
  publishEphemeral(org: string, channel: string, data: JsonValue, from?: string): Promise<string>;
}

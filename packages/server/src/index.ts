export { createNode } from './node.js';
export type { HubcastNode, NodeDeps } from './node.js';
export { loadConfig, ConfigError } from './config/load.js';
export type { ConfigSources } from './config/load.js';
export type { Config, ConfigInput } from './config/schema.js';
export type {
  EventLog,
  LogEvent,
  AppendInput,
  AppendResult,
  ReadRange,
  ReadResult,
} from './log/log.js';
export { MemoryEventLog } from './log/memory.js';
export type { Broker, BrokerMessage, BrokerHandler } from './broker/broker.js';
export { LocalBroker } from './broker/local.js';
export type { Presence, PresenceEntry } from './presence/presence.js';
export { MemoryPresence } from './presence/memory.js';

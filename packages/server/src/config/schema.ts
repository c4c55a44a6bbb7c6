/**
 * The server's configuration (PROTOCOL.md §9): one schema, one meaning per key, whether it comes
 * from a flag (`--ping-interval`), the environment (`HUBCAST_PING_INTERVAL`) or a file key
 * (`pingInterval`). Durations are seconds, sizes bytes.
 */
import { z } from 'zod';
import { MAX_DATA_DEPTH_DEFAULT, explainBadName } from '@hubcast/protocol';
import { WEBHOOK_EVENT_TYPES } from '../services/webhooks/event-types.js';
import { explainBadOriginPattern } from '../transport/origin.js';

const seconds = (max: number) => z.number().positive().max(max);
const count = (min: number, max: number) => z.number().int().min(min).max(max);

export const apiKeySchema = z.object({
  key: z.string().min(8, 'must be at least 8 characters'),
  org: z.string().regex(/^[A-Za-z0-9_\-:@=+]{1,64}$/, 'must be a valid org name'),
});

/** A tenant's quotas, overriding the `tenant*` defaults (config file only). */
export const tenantQuotaSchema = z
  .object({
    org: z.string().regex(/^[A-Za-z0-9_\-:@=+]{1,64}$/, 'must be a valid org name'),
    maxConnections: count(0, 100_000_000).optional(),
    publishRate: z.number().min(0).max(10_000_000).optional(),
    publishBurst: count(0, 100_000_000).optional(),
  })
  .strict();

/** A tenant's webhook endpoint (docs/webhooks.md; config file only). */
export const webhookEndpointSchema = z
  .object({
    org: z.string().regex(/^[A-Za-z0-9_\-:@=+]{1,64}$/, 'must be a valid org name'),
    // The message never quotes the URL: it may carry credentials.
    url: z.string().refine(isHttpUrl, 'must be an http:// or https:// URL'),
    secret: z.string().min(16, 'must be at least 16 characters'),
    /** The events sent; all of them when absent. */
    events: z.array(z.enum(WEBHOOK_EVENT_TYPES)).min(1, 'must name at least one event').optional(),
  })
  .strict();

function isHttpUrl(text: string): boolean {
  try {
    const { protocol, hostname } = new URL(text);
    return (protocol === 'http:' || protocol === 'https:') && hostname !== '';
  } catch {
    return false;
  }
}

/** `*`, or `scheme://host[:port]` with at most a whole leading `*` label (transport/origin.ts). */
const originPattern = z
  .string()
  .min(1)
  .superRefine((pattern, ctx) => {
    const why = explainBadOriginPattern(pattern);
    if (why !== undefined) ctx.addIssue({ code: 'custom', message: why });
  });

/** A channel pattern of PROTOCOL.md §1 (`*`, and `>` last). */
const channelPattern = z.string().superRefine((pattern, ctx) => {
  const why = explainBadName(pattern, true);
  if (why !== undefined) ctx.addIssue({ code: 'custom', message: `'${pattern}' ${why}` });
});

export const configSchema = z
  .object({
    host: z.string().min(1).default('0.0.0.0'),
    port: count(0, 65535).default(8080),
    dataDir: z.string().min(1).default('./data'),
    /**
     * `sqlite` keeps acknowledged events across restarts; `postgres` too, in the database of
     * `postgresUrl` (one writing node per database); `memory` is faster and forgets.
     */
    log: z.enum(['sqlite', 'memory', 'postgres']).default('sqlite'),
    /**
     * `embedded`: one node, the log above, broker and presence in the process. `redis`: one of
     * N stateless nodes sharing `redisUrl` for log, broker and presence (issue 11); `log` is
     * then not used.
     */
    engine: z.enum(['embedded', 'redis']).default('embedded'),
    redisUrl: z
      .string()
      .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
      .optional(),
    /** Prefix of every key and channel hubcast uses in Redis, so deployments can share one. */
    redisPrefix: z
      .string()
      .regex(/^[A-Za-z0-9_:-]{1,32}$/, 'must be 1-32 characters of A-Z a-z 0-9 _ : -')
      .default('hc'),
    /**
     * Seconds a node's presence entries outlive its last heartbeat (sent every third of this):
     * a crashed node's members leave within about this long.
     */
    nodeTtl: z.number().min(3).max(300).default(10),
    /** Node processes on this machine sharing the port (Node's cluster); needs `engine: redis`. */
    workers: count(1, 256).default(1),
    /**
     * Take `publish` and `notify` jobs from a BullMQ queue in `redisUrl` (issue 11), with the
     * embedded engine as with `redis`. Whoever can write that Redis publishes as any tenant.
     */
    queue: z.boolean().default(false),
    /** The BullMQ queue producers add to; failed jobs go to `<queueName>-failed`. */
    queueName: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 characters of A-Z a-z 0-9 _ . -')
      .default('hubcast'),
    /** Jobs one node works on at once. */
    queueConcurrency: count(1, 1000).default(16),
    /** `normal` survives a process crash; `full` also a power cut (one fsync per group). */
    sqliteSync: z.enum(['normal', 'full']).default('normal'),
    /** Where the services keep their data: `sqlite` in the data dir, or a shared PostgreSQL. */
    store: z.enum(['sqlite', 'postgres', 'memory']).default('sqlite'),
    postgresUrl: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// connection string')
      .optional(),
    jwtSecret: z.string().min(16, 'must be at least 16 characters').optional(),
    jwtPublicKey: z.string().min(1).optional(),
    jwks: z.string().min(1).optional(),
    jwtAudience: z.string().min(1).optional(),
    jwtIssuer: z.string().min(1).optional(),
    /**
     * Seconds of clock skew allowed on a token's `exp` and `nbf`, for every kind of key; a live
     * connection lasts until `exp` plus this (PROTOCOL.md §9). Zero is allowed: no skew.
     */
    jwtClockTolerance: z.number().min(0).max(300).default(5),
    apiKey: z.string().min(8, 'must be at least 8 characters').optional(),
    apiKeys: z.array(apiKeySchema).default([]),
    allowedOrigins: z.array(originPattern).default([]),
    /**
     * Channels that take ephemeral publishes (docs/ephemeral.md): live only, never logged. Empty
     * (the default) refuses them everywhere, so no durable channel can be bypassed by accident.
     */
    ephemeralChannels: z.array(channelPattern).max(1000).default([]),
    /** Ephemeral events on these channels are coalesced: latest per channel per flush wins. */
    coalesceChannels: z.array(channelPattern).max(1000).default([]),
    /** PEM files: the node serves https:// and wss:// itself, reloading them on SIGHUP. */
    tlsCert: z.string().min(1).optional(),
    tlsKey: z.string().min(1).optional(),
    pingInterval: seconds(3600).default(25),
    pongTimeout: seconds(3600).default(10),
    authTimeout: seconds(3600).default(5),
    maxMessageBytes: count(64, 64 * 1024 * 1024).default(65536),
    maxSubscriptions: count(1, 1_000_000).default(256),
    maxConnectionsPerUser: count(1, 1_000_000).default(32),
    rateLimit: z.number().positive().max(1_000_000).default(100),
    rateBurst: count(1, 1_000_000).default(200),
    /** Chat writes (send, edit, delete, react, pin) per second per user and node (docs/chat.md). */
    chatSendRate: z.number().positive().max(1_000_000).default(20),
    chatSendBurst: count(1, 1_000_000).default(40),
    /**
     * How deep an event's `data` may nest (containers: `{}` is 1). At most 1000: the log,
     * fan-out and stores serialize `data` with the recursive JSON.stringify, which overflows
     * the stack a few thousand levels down.
     */
    maxDataDepth: count(1, 1000).default(MAX_DATA_DEPTH_DEFAULT),
    historySize: count(1, 100_000_000).default(10_000),
    historyTtl: seconds(10 * 365 * 86400).default(86400),
    shutdownTimeout: seconds(3600).default(30),
    /**
     * The presence grace period, seconds: a user's `leave` waits this long after their last
     * connection went, so a reconnect within it shows neither leave nor join; 0 sends it at once.
     */
    presenceLeaveDelay: z.number().min(0).max(3600).default(5),
    /** Members a `presence` reply or GET /api/presence lists at most; `count` has them all. */
    presenceMembersMax: count(1, 100_000).default(100),
    /** The largest `info` a connection may set with `presence.setInfo`, JSON bytes. */
    presenceInfoMaxBytes: count(2, 65536).default(1024),
    maxQueueBytes: count(1024, 1024 * 1024 * 1024).default(1024 * 1024),
    maxQueueMessages: count(1, 10_000_000).default(10_000),
    /** WebSocket connections per node; unset: what the open-files limit leaves (limits/). */
    maxConnections: count(1, 100_000_000).optional(),
    /**
     * Upgraded sockets not yet authenticated, per client address; 0 (the default) is no limit.
     * Off by default: behind a proxy or a NAT every client has one address, and a reconnect
     * storm through it would be refused (429) and backed off for tens of seconds (bench storm:
     * 32 s instead of 6 s with 256). Set it on a node that clients reach directly.
     */
    maxUnauthenticatedPerIp: count(0, 1_000_000).default(0),
    httpHeadersTimeout: seconds(3600).default(10),
    httpRequestTimeout: seconds(3600).default(30),
    httpKeepAliveTimeout: seconds(3600).default(5),
    /** Defaults for every tenant (0: no limit); `tenantQuotas` overrides them per org. */
    tenantMaxConnections: count(0, 100_000_000).default(0),
    tenantPublishRate: z.number().min(0).max(10_000_000).default(0),
    tenantPublishBurst: count(0, 100_000_000).default(0),
    tenantQuotas: z.array(tenantQuotaSchema).default([]),
    /** Web Push (docs/push.md): all three VAPID keys or none, checked in load.ts. */
    vapidPublicKey: z.string().min(1).optional(),
    vapidPrivateKey: z.string().min(1).optional(),
    vapidSubject: z.string().min(1).optional(),
    /** Tests only: push endpoints may be http://localhost and internal addresses (SSRF!). */
    pushAllowInsecure: z.boolean().default(false),
    /** Per-tenant webhook endpoints and secrets (docs/webhooks.md); one per org. */
    webhooks: z.array(webhookEndpointSchema).default([]),
    /** Seconds a webhook request may take before it counts as failed. */
    webhookTimeout: seconds(300).default(5),
    /** Attempts per webhook before it becomes a dead letter. */
    webhookMaxAttempts: count(1, 100).default(8),
    /** Retry backoff (full jitter): up to base * 2^(n-1) seconds after the n-th failure, capped. */
    webhookRetryBase: seconds(3600).default(1),
    webhookRetryCap: seconds(86_400).default(600),
    dev: z.boolean().default(false),
    logLevel: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
  })
  .strict();

/** What callers may pass in (every key optional); `loadConfig` turns it into a `Config`. */
export type ConfigInput = z.input<typeof configSchema>;
/** A validated, frozen configuration. */
export type Config = Readonly<z.output<typeof configSchema>>;
export type ConfigKey = keyof z.output<typeof configSchema>;

/** Keys whose value is a list: comma-separated in flags and env. */
export const LIST_KEYS: ReadonlySet<string> = new Set([
  'allowedOrigins',
  'ephemeralChannels',
  'coalesceChannels',
]);
/** Keys whose value is a boolean flag. */
export const BOOLEAN_KEYS: ReadonlySet<string> = new Set(['dev', 'queue', 'pushAllowInsecure']);
/** Keys that only a config file can set (structured values). */
export const FILE_ONLY_KEYS: ReadonlySet<string> = new Set(['apiKeys', 'tenantQuotas', 'webhooks']);
/** Keys never printed back in errors. */
export const SECRET_KEYS: ReadonlySet<string> = new Set([
  'jwtSecret',
  'apiKey',
  'apiKeys',
  'webhooks',
  // Carry the database passwords.
  'postgresUrl',
  'redisUrl',
  'vapidPrivateKey',
]);

export const CONFIG_KEYS = Object.keys(configSchema.shape) as ConfigKey[];

/** Which keys are numbers, derived from the schema so flags parse to the right type. */
export function isNumberKey(key: string): boolean {
  const field = configSchema.shape[key as ConfigKey];
  if (field === undefined) return false;
  let inner: z.ZodType = field;
  while (inner instanceof z.ZodDefault || inner instanceof z.ZodOptional) {
    inner = inner.unwrap() as z.ZodType;
  }
  return inner instanceof z.ZodNumber;
}

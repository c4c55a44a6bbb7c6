/**
 * Merges flags, `HUBCAST_*` environment and a config file into one validated, frozen `Config`
 * (STYLE rule 19). Precedence: flags > env > file > defaults. Errors name the key and the
 * source, never the value of a secret.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import {
  BOOLEAN_KEYS,
  CONFIG_KEYS,
  FILE_ONLY_KEYS,
  LIST_KEYS,
  configSchema,
  isNumberKey,
  type Config,
  type ConfigInput,
} from './schema.js';
import { explainBadVapid } from './vapid.js';

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export interface ConfigSources {
  /** Parsed `--kebab-case` flags, values still strings (or true for bare boolean flags). */
  flags?: Record<string, string | boolean>;
  /** The process environment (only `HUBCAST_*` keys are read). */
  env?: Record<string, string | undefined>;
  /** Already-parsed config file contents (camelCase keys). */
  file?: ConfigInput | Record<string, unknown>;
  /** Path of a JSON config file to read when `file` is not given. */
  filePath?: string;
}

export const camelToKebab = (key: string): string =>
  key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
export const camelToEnv = (key: string): string =>
  `HUBCAST_${camelToKebab(key).replace(/-/g, '_').toUpperCase()}`;
const kebabToCamel = (flag: string): string =>
  flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

function coerce(key: string, raw: string | boolean, source: string): unknown {
  if (BOOLEAN_KEYS.has(key)) {
    if (raw === true || raw === 'true' || raw === '1') return true;
    if (raw === false || raw === 'false' || raw === '0') return false;
    throw new ConfigError(`${source}: must be true or false`);
  }
  if (typeof raw === 'boolean') throw new ConfigError(`${source}: needs a value`);
  if (LIST_KEYS.has(key))
    return raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (isNumberKey(key)) {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n))
      throw new ConfigError(`${source}: must be a number`);
    return n;
  }
  return raw;
}

export function loadConfig(sources: ConfigSources = {}): Config {
  let file: Record<string, unknown> = {};
  if (sources.file !== undefined) file = { ...(sources.file as Record<string, unknown>) };
  else if (sources.filePath !== undefined) file = readConfigFile(sources.filePath);
  const merged: Record<string, unknown> = { ...file };
  const origin = new Map<string, string>(
    Object.keys(file).map((k) => [k, `config file key '${k}'`]),
  );

  for (const key of CONFIG_KEYS) {
    if (FILE_ONLY_KEYS.has(key)) continue;
    const envName = camelToEnv(key);
    const raw = sources.env?.[envName];
    if (raw !== undefined && raw !== '') {
      merged[key] = coerce(key, raw, `environment ${envName}`);
      origin.set(key, `environment ${envName}`);
    }
  }
  for (const [flag, raw] of Object.entries(sources.flags ?? {})) {
    const key = kebabToCamel(flag);
    if (!CONFIG_KEYS.includes(key as never) || FILE_ONLY_KEYS.has(key))
      throw new ConfigError(`unknown option --${flag}`);
    merged[key] = coerce(key, raw, `--${flag}`);
    origin.set(key, `--${flag}`);
  }

  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error, origin));
  const config = parsed.data;
  checkCombination(config, origin);
  return deepFreeze(config);
}

function describeIssues(error: z.ZodError, origin: Map<string, string>): string {
  return error.issues
    .map((issue) => {
      const key = String(issue.path[0] ?? '');
      if (issue.code === 'unrecognized_keys') {
        const keys = `${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `'${k}'`).join(', ')}`;
        return issue.path.length === 0
          ? `unknown config key${keys}`
          : `unknown key${keys} at ${issue.path.join('.')}`;
      }
      const where = origin.get(key) ?? `config key '${key}'`;
      const sub = issue.path.length > 1 ? ` (at ${issue.path.join('.')})` : '';
      return `invalid ${where}${sub}: ${issue.message}`;
    })
    .join('; ');
}

function checkCombination(
  config: z.output<typeof configSchema>,
  origin: ReadonlyMap<string, string>,
): void {
  const verifiers = [config.jwtSecret, config.jwtPublicKey, config.jwks].filter(
    (v) => v !== undefined,
  );
  if (verifiers.length > 1)
    throw new ConfigError(
      'give only one of jwtSecret, jwtPublicKey and jwks (--jwt-secret, --jwt-public-key, --jwks)',
    );
  if (verifiers.length === 0 && !config.dev)
    throw new ConfigError(
      'missing token verification: set --jwt-secret, --jwt-public-key or --jwks (or run with --dev)',
    );
  // Keys fetched over plain http can be swapped on the way, and with them who may connect.
  // The URL is not quoted: it may carry credentials.
  if (config.jwks !== undefined && /^http:\/\//i.test(config.jwks) && !config.dev)
    throw new ConfigError(
      `invalid ${origin.get('jwks') ?? "config key 'jwks'"}: the jwks URL must use https:// ` +
        '(http:// is allowed with --dev only)',
    );
  if (config.store === 'postgres' && config.postgresUrl === undefined)
    throw new ConfigError('--store postgres needs --postgres-url (HUBCAST_POSTGRES_URL)');
  if (config.log === 'postgres' && config.postgresUrl === undefined)
    throw new ConfigError('--log postgres needs --postgres-url (HUBCAST_POSTGRES_URL)');
  if (config.engine === 'redis') {
    if (config.redisUrl === undefined)
      throw new ConfigError('--engine redis needs --redis-url (HUBCAST_REDIS_URL)');
    if (origin.has('log'))
      throw new ConfigError('--engine redis keeps the log in Redis: leave out --log');
    // Every node of a cluster must see one store, or a user's inbox differs per node.
    if (config.store === 'sqlite')
      throw new ConfigError(
        '--engine redis needs a store all nodes share: --store postgres --postgres-url URL ' +
          '(or --store memory for a cluster without services)',
      );
  }
  if (config.workers > 1 && config.engine !== 'redis')
    throw new ConfigError(
      '--workers needs --engine redis: the worker processes share one port, and only the ' +
        'Redis engine lets them share the log, broker and presence',
    );
  if (config.queue && config.redisUrl === undefined)
    throw new ConfigError(
      '--queue takes jobs from a BullMQ queue in Redis: it needs --redis-url (HUBCAST_REDIS_URL)',
    );
  if ((config.tlsCert === undefined) !== (config.tlsKey === undefined))
    throw new ConfigError('give both --tls-cert and --tls-key, or neither');
  // Node refuses to start an HTTP server whose request timeout is below its headers timeout.
  if (config.httpRequestTimeout < config.httpHeadersTimeout)
    throw new ConfigError('httpRequestTimeout must be at least httpHeadersTimeout');
  const quotaOrgs = new Set<string>();
  for (const { org } of config.tenantQuotas) {
    if (quotaOrgs.has(org)) throw new ConfigError(`tenantQuotas names org '${org}' twice`);
    quotaOrgs.add(org);
  }
  checkApiKeys(config.apiKey, config.apiKeys);
  const badVapid = explainBadVapid(config);
  if (badVapid !== undefined) throw new ConfigError(badVapid);
  const webhookOrgs = new Set<string>();
  for (const { org } of config.webhooks) {
    if (webhookOrgs.has(org)) throw new ConfigError(`webhooks names org '${org}' twice`);
    webhookOrgs.add(org);
  }
  if (config.webhookRetryCap < config.webhookRetryBase)
    throw new ConfigError('webhookRetryCap must be at least webhookRetryBase');
}

/**
 * A key names one caller: the same key for two tenants would let the first in the list win,
 * and a tenant key equal to the admin key would never be tenant-bound. Errors name the entries,
 * never a key.
 */
function checkApiKeys(
  adminKey: string | undefined,
  apiKeys: readonly { key: string; org: string }[],
): void {
  const firstIndex = new Map<string, number>();
  apiKeys.forEach(({ key }, i) => {
    if (key === adminKey)
      throw new ConfigError(`apiKeys[${i}] has the same key as the admin key (apiKey)`);
    const seen = firstIndex.get(key);
    if (seen !== undefined)
      throw new ConfigError(
        `apiKeys[${seen}] and apiKeys[${i}] have the same key: each key must be unique`,
      );
    firstIndex.set(key, i);
  });
}

/** Frozen all the way down: lists and key objects cannot change after validation either. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${path}: ${(err as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    // V8's message quotes the text around the error, which may be a secret: keep the position only.
    const at = /at position (\d+)/.exec((err as Error).message)?.[1];
    throw new ConfigError(
      `config file ${path} is not valid JSON${at === undefined ? '' : ` (at position ${at})`}`,
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ConfigError(`config file ${path} must hold a JSON object`);
  return value as Record<string, unknown>;
}

export type { Config, ConfigInput };

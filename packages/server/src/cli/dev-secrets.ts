/**
 * The `--dev` node's JWT secret and API key, kept in `<data-dir>/dev-secrets.json` (mode 0600)
 * so that a restart keeps the printed token, the web page's token and the curl line working.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../config/load.js';
import { ensureDataDir } from '../data-dir.js';

export interface DevSecrets {
  jwtSecret: string;
  apiKey: string;
}

export interface LoadedDevSecrets {
  secrets: DevSecrets;
  path: string;
  /** Made by this call, not read from an earlier run. */
  created: boolean;
}

export const DEV_SECRETS_FILE = 'dev-secrets.json';

/** Reads the secrets of an earlier run, or makes and keeps new ones; creates the data dir. */
export function loadDevSecrets(dataDir: string): LoadedDevSecrets {
  ensureDataDir(dataDir);
  const path = join(dataDir, DEV_SECRETS_FILE);
  const secrets: DevSecrets = {
    jwtSecret: randomBytes(24).toString('base64url'),
    apiKey: `dev-${randomBytes(12).toString('base64url')}`,
  };
  try {
    // `wx`: a file that exists, even one a second node just wrote, is read instead.
    writeFileSync(path, `${JSON.stringify(secrets, null, 2)}\n`, { flag: 'wx', mode: 0o600 });
    return { secrets, path, created: true };
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'EEXIST') throw err;
  }
  return { secrets: readDevSecrets(path), path, created: false };
}

function readDevSecrets(path: string): DevSecrets {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    value = undefined;
  }
  const { jwtSecret, apiKey } = (value ?? {}) as Partial<Record<keyof DevSecrets, unknown>>;
  // The same lower bounds as --jwt-secret and --api-key; the content is never echoed.
  if (
    typeof jwtSecret !== 'string' ||
    jwtSecret.length < 16 ||
    typeof apiKey !== 'string' ||
    apiKey.length < 8
  )
    throw new ConfigError(
      `${path} does not hold a dev JWT secret and API key: delete it and a new pair is made`,
    );
  return { jwtSecret, apiKey };
}

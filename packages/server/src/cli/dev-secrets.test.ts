import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../config/load.js';
import { DEV_SECRETS_FILE, loadDevSecrets } from './dev-secrets.js';

const root = mkdtempSync(join(tmpdir(), 'hubcast-dev-secrets-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('loadDevSecrets', () => {
  it('makes a pair once, owner-only, and reads it back after', () => {
    const dir = join(root, 'new', 'data');
    const first = loadDevSecrets(dir);
    const again = loadDevSecrets(dir);
    expect(first.created).toBe(true);
    expect(again).toEqual({ ...first, created: false });
    expect(first.secrets.jwtSecret.length).toBeGreaterThanOrEqual(16);
    expect(first.secrets.apiKey).toMatch(/^dev-/);
    expect(statSync(first.path).mode & 0o777).toBe(0o600);
  });

  it.each([
    ['not JSON', 'leaked-looking-text'],
    ['a short secret', JSON.stringify({ jwtSecret: 'short', apiKey: 'dev-0123456789' })],
    ['no key', JSON.stringify({ jwtSecret: 'x'.repeat(32) })],
  ])('refuses a file with %s, without echoing it', (_case, content) => {
    const dir = mkdtempSync(join(root, 'bad-'));
    writeFileSync(join(dir, DEV_SECRETS_FILE), content);
    expect(() => loadDevSecrets(dir)).toThrow(ConfigError);
    expect(() => loadDevSecrets(dir)).toThrow(/delete it/);
    expect(() => loadDevSecrets(dir)).not.toThrow(/leaked|short|x{16}/);
  });
});

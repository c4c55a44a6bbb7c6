import { generateVAPIDKeys } from 'web-push';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './load.js';

const keys = generateVAPIDKeys();
const other = generateVAPIDKeys();
const base = { jwtSecret: 'x'.repeat(32), logLevel: 'silent' };
const vapid = {
  vapidPublicKey: keys.publicKey,
  vapidPrivateKey: keys.privateKey,
  vapidSubject: 'mailto:ops@example.com',
};

function errorOf(file: Record<string, unknown>, env: Record<string, string> = {}): string {
  try {
    loadConfig({ file: { ...base, ...file }, env });
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  return expect.fail('the config was accepted');
}

describe('VAPID configuration', () => {
  it('takes all three keys, from a file or the environment, or none', () => {
    expect(loadConfig({ file: { ...base, ...vapid }, env: {} }).vapidPublicKey).toBe(
      keys.publicKey,
    );
    const fromEnv = loadConfig({
      file: base,
      env: {
        HUBCAST_VAPID_PUBLIC_KEY: keys.publicKey,
        HUBCAST_VAPID_PRIVATE_KEY: keys.privateKey,
        HUBCAST_VAPID_SUBJECT: 'https://example.com/contact',
        HUBCAST_PUSH_ALLOW_INSECURE: 'true',
      },
    });
    expect(fromEnv.vapidSubject).toBe('https://example.com/contact');
    expect(fromEnv.pushAllowInsecure).toBe(true);
    expect(loadConfig({ file: base, env: {} }).vapidPublicKey).toBeUndefined();
  });

  it.each([
    [
      { vapidPublicKey: keys.publicKey },
      /needs all of vapidPublicKey, vapidPrivateKey and vapidSubject/,
    ],
    [
      { ...vapid, vapidSubject: 'ops@example.com' },
      /vapidSubject must be a mailto: address or an https/,
    ],
    [{ ...vapid, vapidSubject: 'http://example.com' }, /vapidSubject must be/],
    [{ ...vapid, vapidPublicKey: 'abc' }, /vapidPublicKey must be a base64url P-256 public key/],
    [
      { ...vapid, vapidPrivateKey: `${keys.privateKey}AA` },
      /vapidPrivateKey must be a base64url P-256 private key/,
    ],
    [
      { ...vapid, vapidPrivateKey: Buffer.alloc(32).toString('base64url') },
      /vapidPrivateKey is not a valid/,
    ],
    [
      { ...vapid, vapidPrivateKey: other.privateKey },
      /vapidPublicKey does not belong to vapidPrivateKey/,
    ],
  ])('refuses %#, naming the key', (file, message) => {
    const text = errorOf(file);
    expect(text).toMatch(message);
    // Never the private keys themselves.
    expect(text).not.toContain(keys.privateKey);
    expect(text).not.toContain(other.privateKey);
  });
});

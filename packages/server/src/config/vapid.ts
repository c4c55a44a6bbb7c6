/**
 * The VAPID keys of Web Push (docs/push.md "Configuration"): all three keys or none (then Web
 * Push is off), a subject a push service can contact, and a key pair that belongs together, so
 * a typo refuses to start instead of failing every push later. Errors name the key, never its
 * value.
 */
import { createECDH } from 'node:crypto';

export interface VapidConfig {
  vapidPublicKey?: string | undefined;
  vapidPrivateKey?: string | undefined;
  vapidSubject?: string | undefined;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/** Undefined when the keys are usable (or all absent), else why not, naming the key. */
export function explainBadVapid(config: VapidConfig): string | undefined {
  const { vapidPublicKey: pub, vapidPrivateKey: priv, vapidSubject: subject } = config;
  const given = [pub, priv, subject].filter((v) => v !== undefined).length;
  if (given === 0) return undefined;
  if (given < 3)
    return 'Web Push needs all of vapidPublicKey, vapidPrivateKey and vapidSubject (or none)';
  if (pub === undefined || priv === undefined || subject === undefined) return undefined;
  if (!/^(mailto:.+@.+|https:\/\/.+)$/.test(subject))
    return 'vapidSubject must be a mailto: address or an https:// URL';
  if (!BASE64URL.test(pub) || Buffer.from(pub, 'base64url').length !== 65)
    return 'vapidPublicKey must be a base64url P-256 public key (65 bytes; see hubcast vapid-keys)';
  if (!BASE64URL.test(priv) || Buffer.from(priv, 'base64url').length !== 32)
    return 'vapidPrivateKey must be a base64url P-256 private key (32 bytes; see hubcast vapid-keys)';
  let derived: string;
  try {
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(Buffer.from(priv, 'base64url'));
    derived = ecdh.getPublicKey('base64url', 'uncompressed');
  } catch {
    return 'vapidPrivateKey is not a valid P-256 private key';
  }
  if (derived !== pub) return 'vapidPublicKey does not belong to vapidPrivateKey';
  return undefined;
}

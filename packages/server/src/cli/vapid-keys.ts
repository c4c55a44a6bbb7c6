/** `hubcast vapid-keys`: a fresh VAPID key pair for Web Push, as environment lines. */
import webpush from 'web-push';

export function runVapidKeys(): number {
  const { publicKey, privateKey } = webpush.generateVAPIDKeys();
  process.stdout.write(
    `HUBCAST_VAPID_PUBLIC_KEY=${publicKey}\nHUBCAST_VAPID_PRIVATE_KEY=${privateKey}\n` +
      '# and HUBCAST_VAPID_SUBJECT=mailto:you@example.com (or an https:// URL)\n',
  );
  return 0;
}

import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../config/load.js';
import { main } from './main.js';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('hubcast vapid-keys', () => {
  it('prints a fresh key pair as environment lines that a server accepts', async () => {
    const printed: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      printed.push(String(chunk));
      return true;
    });
    expect(await main(['vapid-keys'])).toBe(0);
    expect(await main(['vapid-keys'])).toBe(0);
    const env = (text: string | undefined): Record<string, string> =>
      Object.fromEntries(
        (text ?? '')
          .split('\n')
          .filter((line) => line.startsWith('HUBCAST_'))
          .map((line) => line.split('=') as [string, string]),
      );
    const [first, second] = [env(printed[0]), env(printed[1])];
    expect(Object.keys(first)).toEqual(['HUBCAST_VAPID_PUBLIC_KEY', 'HUBCAST_VAPID_PRIVATE_KEY']);
    expect(first['HUBCAST_VAPID_PRIVATE_KEY']).not.toBe(second['HUBCAST_VAPID_PRIVATE_KEY']);
    const config = loadConfig({
      file: { jwtSecret: 'x'.repeat(32) },
      env: { ...first, HUBCAST_VAPID_SUBJECT: 'mailto:ops@example.com' },
    });
    expect(config.vapidPublicKey).toBe(first['HUBCAST_VAPID_PUBLIC_KEY']);
  });
});

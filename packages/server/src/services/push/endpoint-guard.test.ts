import { HubcastError } from '@hubcast/protocol';
import { describe, expect, it } from 'vitest';
import { checkEndpoint, isPublicAddress, publicOnlyLookup } from './endpoint-guard.js';

describe('isPublicAddress', () => {
  it.each([
    ['8.8.8.8', true],
    ['142.250.74.46', true],
    ['2a00:1450:4001:82b::200a', true],
    ['127.0.0.1', false],
    ['10.0.0.5', false],
    ['172.16.3.4', false],
    ['172.32.0.1', true], // just past 172.16/12
    ['192.168.1.1', false],
    ['169.254.169.254', false], // cloud metadata
    ['100.64.0.1', false], // carrier-grade NAT
    ['0.0.0.0', false],
    ['224.0.0.1', false], // multicast
    ['255.255.255.255', false],
    ['::1', false],
    ['::', false],
    ['fd00::1', false], // unique local
    ['fe80::1', false], // link-local
    ['::ffff:127.0.0.1', false], // IPv4-mapped loopback
    ['::ffff:8.8.8.8', true],
    ['64:ff9b::a00:1', false], // NAT64 of 10.0.0.1
    ['not-an-ip', false],
  ])('%s is public: %s', (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected);
  });
});

describe('checkEndpoint', () => {
  it.each([
    ['https://fcm.googleapis.com/fcm/send/abc', false],
    ['https://updates.push.services.mozilla.com/wpush/v2/x', false],
    ['https://web.push.apple.com/QGx', false],
    ['https://8.8.8.8/push', false], // a public IP literal
    ['http://127.0.0.1:4000/push/a', true],
    ['http://localhost:4000/push/a', true],
    ['https://10.0.0.1/push', true], // insecure mode lifts the address rules
  ])('accepts %s (insecure: %s)', (endpoint, insecure) => {
    expect(checkEndpoint(endpoint, insecure).href).toBe(new URL(endpoint).href);
  });

  it.each([
    [42, false, /must be a URL of at most 2048/],
    ['', false, /must be a URL of at most 2048/],
    ['push.example.com/x', false, /must be a URL$/],
    ['http://push.example.com/x', false, /must be an https/],
    ['https://push.example.com:444/x', false, /default port 443/],
    ['https://a:b@push.example.com/x', false, /user or password/],
    ['https://push.example.com/x#frag', false, /#fragment/],
    ['https://localhost/x', false, /public host/],
    ['https://foo.localhost/x', false, /public host/],
    ['https://intranet/x', false, /public host/],
    ['https://192.168.0.10/x', false, /private, loopback or reserved/],
    ['https://[fd00::1]/x', false, /private, loopback or reserved/],
    ['http://push.example.com/x', true, /http:\/\/ only to localhost/],
    ['ftp://127.0.0.1/x', true, /must be https/],
  ])('refuses %j (insecure: %s)', (endpoint, insecure, message) => {
    let err: unknown;
    try {
      checkEndpoint(endpoint, insecure);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HubcastError);
    expect((err as HubcastError).code).toBe('bad_request');
    expect((err as HubcastError).message).toMatch(message);
    // The URL may carry a secret path: it is never echoed.
    if (typeof endpoint === 'string' && endpoint.length > 0)
      expect((err as HubcastError).message).not.toContain(endpoint);
  });
});

describe('publicOnlyLookup', () => {
  it('refuses a name that resolves to loopback only', async () => {
    const err = await new Promise<NodeJS.ErrnoException | null>((resolve) =>
      publicOnlyLookup('localhost', {}, (e) => resolve(e)),
    );
    expect(err?.code).toBe('EPUSHPRIVATE');
  });
});

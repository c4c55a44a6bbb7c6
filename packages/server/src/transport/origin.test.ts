import { describe, expect, it } from 'vitest';
import { isOriginAllowed } from './origin.js';

describe('isOriginAllowed', () => {
  describe('without an allow-list: same origin only', () => {
    it.each<[origin: string | undefined, host: string | undefined, expected: boolean]>([
      [undefined, 'hub.example.com', true], // no Origin: not a browser, the token still applies
      [undefined, undefined, true],
      ['https://hub.example.com', 'hub.example.com', true],
      ['https://HUB.example.com', 'hub.EXAMPLE.com', true], // host names are case-insensitive
      ['http://localhost:8080', 'localhost:8080', true],
      ['http://localhost:3000', 'localhost:8080', false], // another port is another origin
      ['https://hub.example.com:443', 'hub.example.com', true], // the default port is dropped
      ['https://evil.example', 'hub.example.com', false],
      ['https://hub.example.com.evil.example', 'hub.example.com', false], // suffix trap
      ['https://hub.example.com', undefined, false], // nothing to compare with
      ['null', 'hub.example.com', false], // sandboxed iframes and file:// send "null"
      ['not a url', 'hub.example.com', false],
    ])('origin %s, host %s → %s', (origin, host, expected) => {
      expect(isOriginAllowed(origin, host, [])).toBe(expected);
    });
  });

  describe('with an allow-list', () => {
    it.each<[origin: string | undefined, allowed: string[], expected: boolean]>([
      [undefined, ['https://app.example.com'], true], // no Origin: not a browser
      ['https://anything.example', ['*'], true],
      ['https://app.example.com', ['https://app.example.com'], true],
      ['https://APP.example.com', ['https://app.EXAMPLE.com'], true], // case-insensitive
      ['http://app.example.com', ['https://app.example.com'], false], // scheme matters
      ['https://app.example.com:8443', ['https://app.example.com'], false],
      ['https://app.example.com.evil.example', ['https://app.example.com'], false],
      ['https://hub.example.com', ['https://app.example.com'], false], // the list replaces same-origin
      ['https://b.example', ['https://a.example', 'https://b.example'], true],
      // `*` in a rule stands for subdomains
      ['https://app.example.com', ['https://*.example.com'], true],
      ['https://a.b.example.com', ['https://*.example.com'], true],
      ['https://example.com', ['https://*.example.com'], false], // the apex is not a subdomain
      ['https://.example.com', ['https://*.example.com'], false], // `*` stands for at least one character
      ['https://evilexample.com', ['https://*.example.com'], false],
      ['https://app.example.com.evil.example', ['https://*.example.com'], false],
      ['http://app.example.com', ['https://*.example.com'], false],
      ['https://app.example.com:8443', ['https://*.example.com'], false],
      ['https://evil.example/.example.com', ['https://*.example.com'], false], // `*` never spans a slash
      ['http://localhost:5173', ['http://localhost:*'], true],
      ['http://localhost.evil.example:5173', ['http://localhost:*'], false],
    ])('origin %s, allowed %j → %s', (origin, allowed, expected) => {
      expect(isOriginAllowed(origin, 'hub.example.com', allowed)).toBe(expected);
    });
  });
});

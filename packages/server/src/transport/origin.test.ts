import { describe, expect, it } from 'vitest';
import { explainBadOriginPattern, isOriginAllowed } from './origin.js';

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
      ['null', ['*'], true], // `*` is any origin, the opaque one too
      ['https://app.example.com', ['https://app.example.com'], true],
      ['https://APP.example.com', ['https://app.EXAMPLE.com'], true], // case-insensitive
      ['HTTPS://app.example.com', ['https://app.example.com'], true], // the scheme too
      ['http://app.example.com', ['https://app.example.com'], false], // scheme matters
      ['https://app.example.com:8443', ['https://app.example.com'], false],
      ['https://app.example.com:8443', ['https://app.example.com:8443'], true],
      ['https://app.example.com', ['https://app.example.com:443'], true], // the default port
      ['http://app.example.com:80', ['http://app.example.com'], true],
      ['https://app.example.com:80', ['https://app.example.com'], false], // 80 is not https's
      ['https://app.example.com.evil.example', ['https://app.example.com'], false],
      ['https://hub.example.com', ['https://app.example.com'], false], // the list replaces same-origin
      ['https://b.example', ['https://a.example', 'https://b.example'], true],
      ['null', ['https://app.example.com'], false],
      ['https://app.example.com/', ['https://app.example.com'], false], // an Origin has no path
      ['https://user@app.example.com', ['https://app.example.com'], false],
      ['capacitor://localhost', ['capacitor://localhost'], true], // app shells use own schemes
      ['http://127.0.0.1:5173', ['http://127.0.0.1:5173'], true],
      ['http://[::1]:5173', ['http://[::1]:5173'], true],
      // `*.` stands for one or more whole labels: any subdomain, at any depth, never the apex
      ['https://app.example.com', ['https://*.example.com'], true],
      ['https://a.b.example.com', ['https://*.example.com'], true],
      ['https://example.com', ['https://*.example.com'], false], // the apex is not a subdomain
      ['https://.example.com', ['https://*.example.com'], false], // an empty label is no label
      ['https://a..example.com', ['https://*.example.com'], false],
      ['https://evilexample.com', ['https://*.example.com'], false], // label boundary
      ['https://app.example.com.evil.example', ['https://*.example.com'], false],
      ['http://app.example.com', ['https://*.example.com'], false],
      ['https://app.example.com:8443', ['https://*.example.com'], false],
      ['http://app.example.com:8080', ['http://*.example.com:8080'], true],
      ['http://app.example.com', ['http://*.example.com:8080'], false],
      ['https://evil.example/.example.com', ['https://*.example.com'], false], // not a host
      ['https://evil.example?.example.com', ['https://*.example.com'], false],
      ['https://evil.example#.example.com', ['https://*.example.com'], false],
      // a rule the config refuses matches nothing, should one reach here
      ['https://app.example.com', ['https://*example.com'], false],
      ['http://localhost:5173', ['http://localhost:*'], false],
    ])('origin %s, allowed %j → %s', (origin, allowed, expected) => {
      expect(isOriginAllowed(origin, 'hub.example.com', allowed)).toBe(expected);
    });
  });
});

describe('explainBadOriginPattern', () => {
  it.each<[pattern: string]>([
    ['*'],
    ['https://app.example.com'],
    ['https://app.example.com:8443'],
    ['https://*.example.com'],
    ['http://*.example.com:8080'],
    ['https://*.a.b.example.com'],
    ['HTTPS://App.Example.com'], // case-insensitive, as origins are
    ['http://localhost:5173'],
    ['http://127.0.0.1:8080'],
    ['http://[::1]:8080'],
    ['https://xn--bcher-kva.example'], // an IDN in the ASCII form browsers send
    ['capacitor://localhost'], // app shells send their own scheme
    ['chrome-extension://abcdefghijklmnop'],
  ])('accepts %s', (pattern) => {
    expect(explainBadOriginPattern(pattern)).toBeUndefined();
  });

  it.each<[pattern: string, why: RegExp]>([
    ['https://*example.com', /whole leading label/], // `*` inside a label
    ['https://a.*.example.com', /whole leading label/], // `*` not leading
    ['https://example.*', /whole leading label/],
    ['https://*.*.example.com', /whole leading label/],
    ['https://*', /whole leading label/],
    ['http://localhost:*', /port/], // ports are exact
    ['*://app.example.com', /scheme/],
    ['**', /scheme:\/\/host/],
    ['https://*.com', /two labels/], // every site under a top-level domain
    ['https://*.localhost', /two labels/],
    ['*.example.com', /scheme:\/\/host/], // an Origin always has a scheme: say which
    ['app.example.com', /scheme:\/\/host/],
    ['https://app.example.com/', /path/], // browsers never send one, so it would never match
    ['https://app.example.com/app', /path/],
    ['https://app.example.com?x=1', /path/],
    ['https://app.example.com#x', /path/],
    ['https://user@app.example.com', /scheme:\/\/host/],
    ['https://app.example.com:0', /port/],
    ['https://app.example.com:65536', /port/],
    ['https://app.example.com:', /port/],
    ['https://app..example.com', /host/],
    ['https://-app.example.com', /host/],
    ['https://app_1.example.com', /host/],
    ['https://bücher.example', /host/], // browsers send the xn-- form: this would never match
    ['https://', /host/],
    ['null', /scheme:\/\/host/], // the opaque origin is not a pattern: use `*` or nothing
    [' https://app.example.com', /scheme:\/\/host/],
  ])('refuses %s', (pattern, why) => {
    expect(explainBadOriginPattern(pattern)).toMatch(why);
  });
});

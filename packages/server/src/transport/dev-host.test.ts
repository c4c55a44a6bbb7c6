import { describe, expect, it } from 'vitest';
import { isLoopbackAddress, isLoopbackHostHeader } from './dev-host.js';

describe('isLoopbackHostHeader: the Host a dev node answers to', () => {
  it.each<[header: string | undefined, expected: boolean]>([
    ['localhost', true],
    ['localhost:8080', true],
    ['LocalHost:8080', true], // host names are case-insensitive
    ['127.0.0.1', true],
    ['127.0.0.1:8080', true],
    ['[::1]', true],
    ['[::1]:8080', true],
    ['evil.example', false], // DNS rebinding: a page's own name, now resolving to 127.0.0.1
    ['evil.example:8080', false],
    ['localhost.evil.example', false], // prefix trap
    ['127.0.0.1.nip.io:8080', false], // a public name for 127.0.0.1 is still a name
    ['localhost:8080@evil.example', false],
    ['localhost:', false],
    ['localhost:http', false],
    ['::1', false], // not Host syntax: an IPv6 literal goes in brackets
    ['127.0.0.2', false], // loopback, but no browser page reaches a dev node that way
    [' localhost', false],
    ['', false],
    [undefined, false], // HTTP/1.1 requires Host; a browser always sends it
  ])('%j → %s', (header, expected) => {
    expect(isLoopbackHostHeader(header)).toBe(expected);
  });
});

describe('isLoopbackAddress: the --host a dev node may listen on', () => {
  it.each<[host: string, expected: boolean]>([
    ['127.0.0.1', true],
    ['127.1.2.3', true], // all of 127.0.0.0/8 is loopback
    ['::1', true],
    ['localhost', true],
    ['0.0.0.0', false], // every interface
    ['::', false],
    ['192.168.1.10', false],
    ['128.0.0.1', false],
    ['127.0.0.1.example', false],
    ['localhost.example', false],
  ])('%s → %s', (host, expected) => {
    expect(isLoopbackAddress(host)).toBe(expected);
  });
});

/**
 * What a push endpoint may be (docs/push.md "Security"). A subscription's endpoint is a URL the
 * server will POST to, chosen by a client: without these checks a client could make the server
 * call its own network (SSRF). So an endpoint must be `https:` on port 443 of a public host; a
 * host name must resolve to public addresses only, checked again at each connect (so a DNS
 * answer that changes after `push.register` cannot point it inside). `pushAllowInsecure` (tests
 * and local development) lifts the address checks and lets `http:` reach loopback hosts.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { badRequest } from '@hubcast/protocol';

/** Longer endpoints are refused; real push services use well under 1 KB. */
export const ENDPOINT_MAX_CHARS = 2048;

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Addresses a push must never reach: private, loopback, link-local (cloud metadata at
 * 169.254.169.254), carrier-grade NAT, multicast, reserved and documentation ranges. IPv4-mapped
 * IPv6 addresses are checked against the IPv4 rules by `BlockList` itself.
 */
const INTERNAL = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 3],
] as const)
  INTERNAL.addSubnet(net, prefix, 'ipv4');
for (const [net, prefix] of [
  ['::', 127], // :: and ::1
  ['64:ff9b::', 96], // NAT64 can reach any IPv4 address, internal ones too
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  INTERNAL.addSubnet(net, prefix, 'ipv6');

/** Whether a push may connect to this IP address. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return !INTERNAL.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** The endpoint as a URL, or a `bad_request` naming what is wrong (never echoing the URL). */
export function checkEndpoint(endpoint: unknown, allowInsecure: boolean): URL {
  const field = "'subscription.endpoint'";
  if (typeof endpoint !== 'string' || endpoint.length === 0 || endpoint.length > ENDPOINT_MAX_CHARS)
    throw badRequest(`${field} must be a URL of at most ${ENDPOINT_MAX_CHARS} characters`);
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw badRequest(`${field} must be a URL`);
  }
  if (url.username !== '' || url.password !== '')
    throw badRequest(`${field} must not carry a user or password`);
  if (url.hash !== '') throw badRequest(`${field} must not have a #fragment`);
  const loopback = LOOPBACK_NAMES.has(url.hostname);
  if (allowInsecure) {
    if (url.protocol === 'https:' || (url.protocol === 'http:' && loopback)) return url;
    throw badRequest(`${field} must be https:// (http:// only to localhost in insecure mode)`);
  }
  if (url.protocol !== 'https:') throw badRequest(`${field} must be an https:// URL`);
  if (url.port !== '') throw badRequest(`${field} must use the default port 443`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (loopback || host.endsWith('.localhost') || (!host.includes('.') && isIP(host) === 0))
    throw badRequest(`${field} must name a public host`);
  if (isIP(host) !== 0 && !isPublicAddress(host))
    throw badRequest(`${field} must not be a private, loopback or reserved address`);
  return url;
}

/**
 * A `lookup` for `http(s).request` that answers only public addresses, so the connect itself
 * cannot reach inside whatever DNS says (a name may resolve differently at each call).
 */
export const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
    if (err !== null) return callback(err, '', 0);
    const allowed = addresses.filter((a) => isPublicAddress(a.address));
    if (allowed.length === 0) {
      const refused = Object.assign(new Error(`push endpoint host resolves to no public address`), {
        code: 'EPUSHPRIVATE',
      });
      return callback(refused, '', 0);
    }
    if (options.all === true) return (callback as unknown as AllCallback)(null, allowed);
    const [first] = allowed as [LookupAddress];
    callback(null, first.address, first.family);
  });
};

type AllCallback = (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void;

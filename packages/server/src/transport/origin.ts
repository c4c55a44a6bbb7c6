/**
 * Origin allow-list for WebSocket upgrades. A request without `Origin` is not a browser and is
 * allowed (tokens still apply). With no list, only same-origin pages may connect.
 *
 * A rule is `*` (any origin) or `scheme://host[:port]`, where the host may start with a whole
 * `*` label: `https://*.example.com` allows every subdomain of example.com at any depth
 * (`a.example.com`, `a.b.example.com`), never example.com itself. Any depth because that is
 * what people mean by "our subdomains" (and what Spring's and most CORS libraries' patterns
 * do); one label only would silently refuse `eu.app.example.com`. The config refuses every
 * other use of `*` (`explainBadOriginPattern`), and this matcher follows the same parser, so
 * the two cannot drift apart.
 */

interface OriginParts {
  scheme: string;
  /** Lower case; for a wildcard rule, the domain under the `*` label. */
  host: string;
  /** Empty for the scheme's default port, as browsers leave it out of `Origin`. */
  port: string;
  wildcard: boolean;
}

type Parsed = { ok: true; parts: OriginParts } | { ok: false; why: string };

const SHAPE = "must be '*' or scheme://host[:port], as in https://app.example.com";
const SCHEME_RE = /^[a-z][a-z0-9+.-]*$/;
const LABEL_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const IPV6_RE = /^\[[0-9a-f:.]+\]$/;
const DEFAULT_PORTS: Readonly<Record<string, string>> = {
  http: '80',
  https: '443',
  ws: '80',
  wss: '443',
};

/** Why `pattern` is not a valid `allowedOrigins` entry, or `undefined` when it is. */
export function explainBadOriginPattern(pattern: string): string | undefined {
  if (pattern === '*') return undefined;
  const parsed = parseOrigin(pattern, true);
  return parsed.ok ? undefined : parsed.why;
}

export function isOriginAllowed(
  origin: string | undefined,
  host: string | undefined,
  allowed: readonly string[],
): boolean {
  if (origin === undefined) return true;
  if (allowed.length === 0) {
    if (host === undefined) return false;
    try {
      return new URL(origin).host.toLowerCase() === host.toLowerCase();
    } catch {
      return false;
    }
  }
  const rules = compiled(allowed);
  if (rules === 'any') return true;
  const parsed = parseOrigin(origin, false);
  if (!parsed.ok) return false;
  const o = parsed.parts;
  return rules.some(
    (r) =>
      r.scheme === o.scheme &&
      r.port === o.port &&
      (r.wildcard
        ? o.host.length > r.host.length + 1 && o.host.endsWith(`.${r.host}`)
        : r.host === o.host),
  );
}

// The allow-list is the frozen config's: parse it once, not on every upgrade.
const cache = new WeakMap<readonly string[], OriginParts[] | 'any'>();

function compiled(allowed: readonly string[]): OriginParts[] | 'any' {
  let rules = cache.get(allowed);
  if (rules === undefined) {
    rules = allowed.includes('*')
      ? 'any'
      : allowed.flatMap((rule) => {
          const parsed = parseOrigin(rule, true);
          return parsed.ok ? [parsed.parts] : [];
        });
    cache.set(allowed, rules);
  }
  return rules;
}

/** Parses an `Origin` value, or a rule when `allowWildcard`; the same grammar for both. */
function parseOrigin(text: string, allowWildcard: boolean): Parsed {
  const t = text.toLowerCase();
  const sep = t.indexOf('://');
  if (sep === -1) return bad(SHAPE);
  const scheme = t.slice(0, sep);
  if (!SCHEME_RE.test(scheme)) return bad(SHAPE);
  const rest = t.slice(sep + 3);
  if (/[/?#]/.test(rest))
    return bad('has a path, query or fragment: an origin is only scheme://host[:port]');
  if (rest.includes('@')) return bad(SHAPE);
  const colon = rest.startsWith('[') ? rest.indexOf(':', rest.indexOf(']')) : rest.lastIndexOf(':');
  const hostText = colon === -1 ? rest : rest.slice(0, colon);
  let port = '';
  if (colon !== -1) {
    const digits = rest.slice(colon + 1);
    const n = Number(digits);
    if (!/^[0-9]{1,5}$/.test(digits) || n < 1 || n > 65535)
      return bad('the port must be a number from 1 to 65535 (ports are matched exactly)');
    port = String(n);
  }
  if (port === DEFAULT_PORTS[scheme]) port = '';
  if (IPV6_RE.test(hostText))
    return { ok: true, parts: { scheme, host: hostText, port, wildcard: false } };
  const labels = hostText.split('.');
  let wildcard = false;
  if (hostText.includes('*')) {
    const wholeLeading =
      allowWildcard &&
      labels[0] === '*' &&
      labels.length > 1 &&
      labels.slice(1).every((l) => !l.includes('*'));
    if (!wholeLeading)
      return bad("'*' may only be a whole leading label of the host, as in https://*.example.com");
    if (labels.length < 3)
      return bad("'*.' must stand before a domain of at least two labels (not a top-level domain)");
    wildcard = true;
    labels.shift();
  }
  if (!labels.every((l) => LABEL_RE.test(l)))
    return bad(
      'the host must be dot-separated labels of a-z, 0-9 and - (international names in their xn-- form)',
    );
  return { ok: true, parts: { scheme, host: labels.join('.'), port, wildcard } };
}

function bad(why: string): Parsed {
  return { ok: false, why };
}

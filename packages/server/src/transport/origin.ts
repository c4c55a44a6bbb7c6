/**
 * Origin allow-list for WebSocket upgrades. A request without `Origin` is not a browser and is
 * allowed (tokens still apply). With no list, only same-origin pages may connect; `*` allows
 * any; `https://*.example.com` allows subdomains.
 */
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
  const o = origin.toLowerCase();
  return allowed.some((rule) => {
    const r = rule.toLowerCase();
    if (r === '*') return true;
    if (!r.includes('*')) return r === o;
    const [prefix = '', suffix = ''] = r.split('*', 2);
    return (
      o.length > prefix.length + suffix.length &&
      o.startsWith(prefix) &&
      o.endsWith(suffix) &&
      !o.slice(prefix.length, o.length - suffix.length).includes('/')
    );
  });
}

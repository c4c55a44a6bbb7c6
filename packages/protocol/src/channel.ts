/** Channel and pattern names (docs/protocol.md §1). Pure functions, no allocation beyond split. */

export const MAX_SEGMENT_CHARS = 64;
export const MAX_SEGMENTS = 16;
export const MAX_NAME_CHARS = 255;

const SEGMENT_RE = /^[A-Za-z0-9_\-:@=+]{1,64}$/;

export function isValidSegment(segment: string): boolean {
  return SEGMENT_RE.test(segment);
}

/** Why a name is not a valid channel or pattern, or `undefined` when it is. */
export function explainBadName(name: unknown, allowWildcards: boolean): string | undefined {
  if (typeof name !== 'string') return 'must be a string';
  if (name.length === 0) return 'must not be empty';
  if (name.length > MAX_NAME_CHARS) return `must be at most ${MAX_NAME_CHARS} characters`;
  const segments = name.split('.');
  if (segments.length > MAX_SEGMENTS) return `must have at most ${MAX_SEGMENTS} segments`;
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i] as string;
    if (s === '*' || s === '>') {
      if (!allowWildcards) return 'must be a concrete channel (no * or >)';
      if (s === '>' && i !== segments.length - 1) return "may use '>' only as the last segment";
      continue;
    }
    if (s.length === 0) return 'has an empty segment';
    if (!isValidSegment(s))
      return `segment ${i + 1} must be 1-${MAX_SEGMENT_CHARS} characters of [A-Za-z0-9_-:@=+]`;
  }
  return undefined;
}

export function isValidChannel(name: unknown): name is string {
  return explainBadName(name, false) === undefined;
}

export function isValidPattern(name: unknown): name is string {
  return explainBadName(name, true) === undefined;
}

export function isValidOrg(org: unknown): org is string {
  return typeof org === 'string' && isValidSegment(org);
}

export function isWildcardPattern(pattern: string): boolean {
  return pattern === '*' || pattern === '>' || /(^|\.)[*>](\.|$)/.test(pattern);
}

/** The owner of a personal channel or pattern (`user.<id>...`), or `undefined`. */
export function personalOwner(name: string): string | undefined {
  if (!name.startsWith('user.')) return undefined;
  const end = name.indexOf('.', 5);
  return end === -1 ? name.slice(5) : name.slice(5, end);
}

/** The personal channel root of a user: `user.<id>`. */
export function personalChannel(userId: string): string {
  return `user.${userId}`;
}

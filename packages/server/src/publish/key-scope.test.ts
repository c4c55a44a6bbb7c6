import { describe, expect, it } from 'vitest';
import { scopeKeys, scopedKey, type KeyScope } from './key-scope.js';

describe('scopedKey', () => {
  it.each<[KeyScope, string, string]>([
    [{ kind: 'api' }, 'k', 'c:k'],
    [{ kind: 'service' }, 'k', 's:k'],
    [{ kind: 'user', user: 'alice' }, 'k', 'u:alice/k'],
    // ids may hold ':'; keys may hold '/': the first '/' still ends the user
    [{ kind: 'user', user: 'a:b' }, 'c/d', 'u:a:b/c/d'],
  ])('%j %s -> %s', (scope, key, expected) => {
    expect(scopedKey(scope, key)).toBe(expected);
  });

  it.each<[KeyScope, string, KeyScope, string]>([
    [{ kind: 'api' }, 'k', { kind: 'user', user: 'alice' }, 'k'],
    [{ kind: 'api' }, 'k', { kind: 'service' }, 'k'],
    [{ kind: 'user', user: 'alice' }, 'k', { kind: 'user', user: 'bob' }, 'k'],
    // a user whose id is a prefix of another's cannot reach it with a crafted key
    [{ kind: 'user', user: 'a' }, 'b/k', { kind: 'user', user: 'a:b' }, 'k'],
    [{ kind: 'user', user: 'a' }, ':b/k', { kind: 'user', user: 'a:b' }, 'k'],
    // nor can a client reach the API's scope through its key
    [{ kind: 'user', user: 'alice' }, 'c:k', { kind: 'api' }, 'k'],
  ])('keeps %j %s apart from %j %s', (a, ka, b, kb) => {
    expect(scopedKey(a, ka)).not.toBe(scopedKey(b, kb));
  });
});

describe('scopeKeys', () => {
  it('returns the same array when no item has a key', () => {
    const items = [{ channel: 'a', data: 1 }];
    expect(scopeKeys(items, { kind: 'api' })).toBe(items);
  });

  it('scopes only the items with a key', () => {
    expect(
      scopeKeys(
        [
          { channel: 'a', data: 1, key: 'x' },
          { channel: 'b', data: 2 },
        ],
        { kind: 'user', user: 'u1' },
      ),
    ).toEqual([
      { channel: 'a', data: 1, key: 'u:u1/x' },
      { channel: 'b', data: 2 },
    ]);
  });
});

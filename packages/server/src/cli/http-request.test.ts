import { describe, expect, it } from 'vitest';
import { describeNetworkError } from './http-request.js';

describe('describeNetworkError', () => {
  it.each<[unknown, string]>([
    [
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
      'connection refused',
    ],
    [Object.assign(new Error('getaddrinfo ENOTFOUND x'), { code: 'ENOTFOUND' }), 'host not found'],
    [Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' }), 'timed out'],
    // A code without words is still something an operator can search for.
    [Object.assign(new Error('x'), { code: 'EPROTO' }), 'EPROTO'],
    [new Error('self-signed certificate'), 'self-signed certificate'],
    ['odd', 'odd'],
    [null, 'null'],
  ])('%s -> %s', (err, reason) => {
    expect(describeNetworkError(err)).toBe(reason);
  });
});

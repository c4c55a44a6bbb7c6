import { describe, expect, it } from 'vitest';
import { EngineUnavailableError } from '../engine-error.js';
import { redisFailure } from './errors.js';

/** An error shaped as ioredis rejects with: a name, a message, sometimes node's `code`. */
function failure(name: string, message: string, code?: string): Error {
  const err = Object.assign(new Error(message), code === undefined ? {} : { code });
  err.name = name;
  return err;
}

describe('redisFailure', () => {
  it.each([
    [
      failure('Error', "Stream isn't writeable and enableOfflineQueue options is false"),
      'unreachable',
      'not connected',
    ],
    [failure('Error', 'Connection is closed.'), 'unreachable', 'connection closed'],
    [
      failure(
        'MaxRetriesPerRequestError',
        'Reached the max retries per request limit (which is 0).',
      ),
      'unreachable',
      'connection lost',
    ],
    [failure('Error', 'Command timed out'), 'timeout', 'no reply in time'],
    [
      failure('ReplyError', 'LOADING Redis is loading the dataset in memory'),
      'unreachable',
      'loading its data',
    ],
    [
      failure('ReplyError', "READONLY You can't write against a read only replica."),
      'read_only',
      'a read-only replica',
    ],
    [
      failure('ReplyError', 'BUSY Redis is busy running a script.'),
      'timeout',
      'busy running a script',
    ],
    // The driver's words name the host; the reason does not.
    [
      failure('Error', 'connect ECONNREFUSED 10.0.0.7:6379', 'ECONNREFUSED'),
      'unreachable',
      'unreachable',
    ],
  ])('%s is an outage: %s (%s)', (err, code, reason) => {
    const mapped = redisFailure('presence', err);
    expect(mapped).toBeInstanceOf(EngineUnavailableError);
    expect(mapped).toMatchObject({ part: 'presence', code, reason, cause: err });
  });

  it.each([
    // A script or argument that Redis refuses is a bug, not an outage: thrown as it is.
    [failure('ReplyError', 'ERR Error running script: attempt to index a nil value')],
    [failure('ReplyError', 'WRONGTYPE Operation against a key holding the wrong kind of value')],
    [failure('TypeError', 'x is not a function')],
    ['not an error'],
  ])('%s is not an outage', (err) => {
    expect(redisFailure('presence', err)).toBe(err);
  });
});

import { describe, expect, it } from 'vitest';
import { HubcastError } from '@hubcast/protocol';
import { keyFromJobId, parseJob, withJobIdKey, type QueueJob } from './job-schema.js';

const LIMITS = { maxMessageBytes: 200, maxDataDepth: 3 };

function refusal(name: string, data: unknown): HubcastError {
  try {
    parseJob(name, data, LIMITS);
  } catch (err) {
    if (err instanceof HubcastError) return err;
    throw err;
  }
  throw new Error('expected parseJob to throw');
}

/** `depth` objects nested in each other: `{a:{a:1}}` is 2. */
const nested = (depth: number): unknown => {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
};

describe('parseJob', () => {
  it.each<[name: string, data: unknown]>([
    ['publish', { org: 'acme', channel: 'a.b', data: 1 }],
    ['publish', [{ org: 'acme', channel: 'a.b', data: 1 }]],
    ['publish', []], // the route refuses it, saying the array is empty
    ['notify', { org: 'acme', users: ['u'], notification: { kind: 'k', title: 't' } }],
    ['notify', nested(5)], // depth = maxDataDepth + 2: notification.data may be that deep
  ])('takes a %s job with data %j', (name, data) => {
    expect(parseJob(name, data, LIMITS)).toEqual({ name, data });
  });

  it.each<[label: string, name: string, data: unknown, code: string, says: string]>([
    [
      'an unknown name',
      'publsh',
      {},
      'bad_request',
      "unknown job name 'publsh': hubcast takes 'publish' and 'notify'",
    ],
    ['an empty name', '', {}, 'bad_request', "unknown job name ''"],
    ['publish data that is text', 'publish', 'hi', 'bad_request', 'an object or an array'],
    ['publish data that is null', 'publish', null, 'bad_request', 'an object or an array'],
    ['notify data that is an array', 'notify', [{}], 'bad_request', 'must be an object'],
    ['data nested too deep', 'publish', nested(6), 'bad_request', 'deeper than 5 levels'],
    [
      'data larger than max-message-bytes',
      'publish',
      { org: 'acme', channel: 'a.b', data: 'x'.repeat(200) },
      'too_large',
      "than 200 (the node's --max-message-bytes)",
    ],
  ])('refuses %s', (_label, name, data, code, says) => {
    const err = refusal(name, data);
    expect(err.code).toBe(code);
    expect(err.message).toContain(says);
  });

  it('shows at most 64 characters of an unknown name', () => {
    expect(refusal('x'.repeat(500), {}).message).toContain(`'${'x'.repeat(64)}'`);
    expect(refusal('x'.repeat(500), {}).message).not.toContain('x'.repeat(65));
  });
});

describe('keyFromJobId', () => {
  it.each<[id: string | undefined, key: string | undefined]>([
    ['invoice-42', 'invoice-42'],
    ['1', undefined], // BullMQ's counter: starts again at 1 when the queue is emptied
    ['123456', undefined],
    ['007', '007'], // BullMQ takes it as a custom id: parseInt gives 7, not '007'
    ['12abc', '12abc'],
    ['repeat:abc:1700000000000', 'repeat:abc:1700000000000'], // one per scheduled run
    ['', undefined],
    [undefined, undefined],
  ])('%j gives the key %j', (id, key) => {
    expect(keyFromJobId(id)).toBe(key);
  });
});

describe('withJobIdKey', () => {
  const job = (data: QueueJob['data']): QueueJob => ({ name: 'publish', data });
  const item = { org: 'acme', channel: 'a.b', data: 1 };

  it.each<[label: string, data: QueueJob['data'], id: string | undefined, key: unknown]>([
    ['a custom job id', item, 'inv-1', 'inv-1'],
    ['an explicit key over the job id', { ...item, key: 'mine' }, 'inv-1', 'mine'],
    ['no key from a counter id', item, '17', undefined],
    // An ephemeral item has no log to dedupe in, and a key would be refused (docs/ephemeral.md).
    ['no key for an ephemeral item', { ...item, ephemeral: true }, 'inv-1', undefined],
  ])('uses %s', (_label, data, id, key) => {
    const body = withJobIdKey(job(data), id) as Record<string, unknown>;
    expect(body['key']).toBe(key);
  });

  it('leaves an array alone: one id cannot key several events', () => {
    const data = [item, item];
    expect(withJobIdKey(job(data), 'inv-1')).toBe(data);
  });

  it('refuses a job id too long for a key, saying what to do', () => {
    expect(() => withJobIdKey(job(item), 'k'.repeat(256))).toThrow(/at most 255 .* set 'key'/);
  });
});

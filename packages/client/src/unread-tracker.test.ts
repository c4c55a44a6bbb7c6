import { describe, expect, it } from 'vitest';
import { REMEMBERED_IDS_MAX, UnreadTracker } from './unread-tracker.js';

/** A tracker synced to `count` by a clean fetch. */
function synced(count: number): UnreadTracker {
  const t = new UnreadTracker();
  expect(t.fetched(t.beginFetch(), count)).toEqual({ fetch: false });
  return t;
}

describe('UnreadTracker', () => {
  it('is undefined until a fetch is adopted', () => {
    const t = new UnreadTracker();
    expect(t.count).toBeUndefined();
    const token = t.beginFetch();
    expect(t.count).toBeUndefined();
    t.fetched(token, 4);
    expect(t.count).toBe(4);
  });

  it('counts a created unread notification once per id', () => {
    const t = synced(2);
    expect(t.created('n1', true)).toEqual({ duplicate: false, fetch: false });
    expect(t.created('n1', true)).toEqual({ duplicate: true, fetch: false }); // replayed
    expect(t.count).toBe(3);
  });

  it('does not count a notification created already read', () => {
    const t = synced(2);
    expect(t.created('n1', false)).toEqual({ duplicate: false, fetch: false });
    expect(t.count).toBe(2);
  });

  it('read: −1 per id known unread, nothing for an id known read, a fetch for an unknown id', () => {
    const t = synced(5);
    t.created('a', true);
    t.created('b', true);
    t.created('c', false);
    expect(t.count).toBe(7);
    expect(t.read(['a', 'c'])).toEqual({ fetch: false });
    expect(t.count).toBe(6);
    expect(t.read(['a'])).toEqual({ fetch: false }); // a second read of a changes nothing
    expect(t.count).toBe(6);
    expect(t.read(['b', 'old'])).toEqual({ fetch: true }); // old may or may not be counted
    expect(t.count).toBe(5); // b applied; the fetch settles old
  });

  it('read_all settles the count at 0 and marks every known id read', () => {
    const t = synced(7);
    t.created('a', true);
    expect(t.readAll()).toEqual({ fetch: false });
    expect(t.count).toBe(0);
    expect(t.read(['a'])).toEqual({ fetch: false });
    expect(t.count).toBe(0);
  });

  it('read_all before any fetch defines the count', () => {
    const t = new UnreadTracker();
    t.readAll();
    expect(t.count).toBe(0);
  });

  it('drops a fetch answer overtaken by a count-changing event, and asks for another', () => {
    const t = synced(1);
    const first = t.beginFetch();
    t.created('n1', true); // may or may not be in the answer
    expect(t.count).toBe(2); // provisional: the last good count plus the event
    expect(t.fetched(first, 2)).toEqual({ fetch: true });
    expect(t.count).toBe(2);
    const second = t.beginFetch();
    expect(t.fetched(second, 2)).toEqual({ fetch: false });
    expect(t.count).toBe(2);
  });

  it('an overtaken first fetch leaves the count undefined until a clean one', () => {
    const t = new UnreadTracker();
    const first = t.beginFetch();
    expect(t.created('n1', true)).toEqual({ duplicate: false, fetch: false });
    expect(t.fetched(first, 1)).toEqual({ fetch: true });
    expect(t.count).toBeUndefined();
    t.fetched(t.beginFetch(), 1);
    expect(t.count).toBe(1);
  });

  it.each([
    ['a duplicate created', (t: UnreadTracker) => t.created('seen', true)],
    ['a created already read', (t: UnreadTracker) => t.created('new', false)],
    ['a read of an id known read', (t: UnreadTracker) => t.read(['done'])],
  ])('does not drop a fetch answer for %s (no count change)', (_name, step) => {
    const t = synced(3);
    t.created('seen', true);
    t.created('done', false);
    const token = t.beginFetch();
    step(t);
    expect(t.fetched(token, 9)).toEqual({ fetch: false });
    expect(t.count).toBe(9);
  });

  it('a read of an unknown id during a fetch overtakes it (no second fetch started)', () => {
    const t = synced(3);
    const token = t.beginFetch();
    expect(t.read(['old'])).toEqual({ fetch: false }); // the answer in flight will trigger it
    expect(t.fetched(token, 3)).toEqual({ fetch: true });
  });

  it('read_all during a fetch makes the answer moot', () => {
    const t = synced(3);
    const token = t.beginFetch();
    t.readAll();
    t.created('n1', true);
    expect(t.fetched(token, 3)).toEqual({ fetch: false }); // ignored
    expect(t.count).toBe(1);
  });

  it('ignores the answer of a superseded or reset fetch', () => {
    const t = synced(3);
    const old = t.beginFetch();
    const current = t.beginFetch();
    expect(t.fetched(old, 50)).toEqual({ fetch: false });
    expect(t.count).toBe(3);
    expect(t.fetchFailed(old)).toBe(false);
    t.reset();
    expect(t.fetched(current, 50)).toEqual({ fetch: false });
    expect(t.count).toBeUndefined();
  });

  it('fetchFailed reports only the current fetch and keeps the count', () => {
    const t = synced(3);
    const token = t.beginFetch();
    expect(t.fetchFailed(token)).toBe(true);
    expect(t.fetchFailed(token)).toBe(false);
    expect(t.count).toBe(3);
  });

  it('asks for a fetch when an event finds no count and none in flight', () => {
    const t = new UnreadTracker();
    t.fetchFailed(t.beginFetch());
    expect(t.created('n1', true)).toEqual({ duplicate: false, fetch: true });
  });

  it('never goes below zero: clamps and asks the server', () => {
    const t = new UnreadTracker();
    t.created('y', true); // known unread before any count
    t.fetched(t.beginFetch(), 0); // the server says 0 (y was read elsewhere, say)
    expect(t.read(['y'])).toEqual({ fetch: true }); // the books disagree
    expect(t.count).toBe(0);
  });

  it('unsure asks for a fetch, or overtakes the one in flight', () => {
    const t = synced(2);
    expect(t.unsure()).toEqual({ fetch: true });
    const token = t.beginFetch();
    expect(t.unsure()).toEqual({ fetch: false });
    expect(t.fetched(token, 2)).toEqual({ fetch: true });
  });

  it(`remembers the newest ${REMEMBERED_IDS_MAX} ids`, () => {
    const t = synced(0);
    for (let i = 0; i <= REMEMBERED_IDS_MAX; i++) t.created(`n${i}`, false);
    expect(t.created(`n${REMEMBERED_IDS_MAX}`, true).duplicate).toBe(true);
    expect(t.created('n0', true).duplicate).toBe(false); // forgotten, the oldest
  });
});

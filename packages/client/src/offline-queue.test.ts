import { describe, expect, it } from 'vitest';
import { OfflineQueue } from './offline-queue.js';

describe('OfflineQueue', () => {
  it('keeps order and evicts the oldest when full', () => {
    const q = new OfflineQueue<number>(3);
    expect([q.push(1), q.push(2), q.push(3)]).toEqual([undefined, undefined, undefined]);
    expect(q.push(4)).toBe(1);
    expect(q.size).toBe(3);
    expect(q.drain()).toEqual([2, 3, 4]);
    expect(q.size).toBe(0);
  });

  it('with capacity 0 refuses every item', () => {
    const q = new OfflineQueue<string>(0);
    expect(q.push('a')).toBe('a');
    expect(q.drain()).toEqual([]);
  });

  it('unshift puts items back at the head, past capacity', () => {
    const q = new OfflineQueue<number>(2);
    q.push(3);
    q.push(4);
    q.unshift(2);
    q.unshift(1);
    expect(q.drain()).toEqual([1, 2, 3, 4]);
  });
});

import { describe, expect, it } from 'vitest';
import { SlotCounter } from './slot-counter.js';

describe('SlotCounter', () => {
  it('takes up to max per key and gives slots back', () => {
    const slots = new SlotCounter();
    expect([slots.take('a', 2), slots.take('a', 2), slots.take('a', 2)]).toEqual([
      true,
      true,
      false,
    ]);
    expect(slots.take('b', 2)).toBe(true);
    slots.release('a');
    expect(slots.count('a')).toBe(1);
    expect(slots.take('a', 2)).toBe(true);
  });

  it('treats a max of 0 as no limit', () => {
    const slots = new SlotCounter();
    for (let i = 0; i < 1000; i++) expect(slots.take('a', 0)).toBe(true);
    expect(slots.count('a')).toBe(1000);
  });

  it('forgets a key once its last slot is released, and never goes below zero', () => {
    const slots = new SlotCounter();
    slots.take('a', 1);
    slots.release('a');
    slots.release('a');
    expect(slots.size).toBe(0);
    expect(slots.count('a')).toBe(0);
    expect(slots.take('a', 1)).toBe(true);
  });
});

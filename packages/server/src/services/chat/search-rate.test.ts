import { HubcastError } from '@hubcast/protocol';
import { describe, expect, it } from 'vitest';
import {
  SEARCH_BURST,
  SEARCH_RATE_PER_SECOND,
  SHORT_SEARCH_BURST,
  SHORT_SEARCH_RATE_PER_SECOND,
  SearchRate,
} from './search-rate.js';

/** The code `check` threw, or undefined when it let the search through. */
function outcome(rate: SearchRate, text: string, nowMs = 0): string | undefined {
  try {
    rate.check('acme', 'alice', text, nowMs);
    return undefined;
  } catch (err) {
    return err instanceof HubcastError ? err.code : String(err);
  }
}

describe('SearchRate', () => {
  it('lets a burst of searches of any length through, then refuses them until it refills', () => {
    const rate = new SearchRate();
    for (let i = 0; i < SEARCH_BURST; i++) expect(outcome(rate, 'needle', i)).toBeUndefined();
    expect(outcome(rate, 'needle', SEARCH_BURST)).toBe('rate_limited');
    expect(outcome(rate, 'needle', SEARCH_BURST + 1000 / SEARCH_RATE_PER_SECOND)).toBeUndefined();
  });

  it('lets a burst of short searches through, then refuses them until the bucket refills', () => {
    const rate = new SearchRate();
    for (let i = 0; i < SHORT_SEARCH_BURST; i++) expect(outcome(rate, 'a')).toBeUndefined();
    expect(outcome(rate, 'ab')).toBe('rate_limited');
    expect(outcome(rate, 'ab', 1000 / SHORT_SEARCH_RATE_PER_SECOND)).toBeUndefined();
  });

  it.each([
    ['three letters', 'abc'],
    ['two emoji and a letter (code points, not UTF-16 units)', '🎉🎉a'],
  ])('never counts a search the index serves: %s', (_label, text) => {
    const rate = new SearchRate();
    for (let i = 0; i < SHORT_SEARCH_BURST; i++) outcome(rate, 'a');
    expect(outcome(rate, text)).toBeUndefined();
  });

  it('counts one emoji as one character', () => {
    const rate = new SearchRate();
    for (let i = 0; i < SHORT_SEARCH_BURST; i++) outcome(rate, '🎉');
    expect(outcome(rate, '🎉')).toBe('rate_limited');
  });
});

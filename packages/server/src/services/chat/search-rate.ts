/**
 * The rate of `chat.search` calls the trigram index cannot serve (docs/chat.md "Search at
 * scale"): a needle of 1 or 2 characters reads the room row by row, about 40-140 ms for 100,000
 * messages on SQLite, where the read runs on the node's event loop. Unlimited, one member could
 * keep the node busy with them; so each user gets a small bucket of them per node, apart from
 * the write rate. Searches of 3 characters or more are not counted.
 */
import { rateLimited } from '@hubcast/protocol';
import { TRIGRAM_MIN_CHARS } from '../../store/chat-rows.js';
import { SendRate } from './send-rate.js';

/** Short searches per second per user, and the burst (a user typing a query letter by letter). */
export const SHORT_SEARCH_RATE_PER_SECOND = 2;
export const SHORT_SEARCH_BURST = 10;

export class ShortSearchRate {
  private readonly rate = new SendRate(SHORT_SEARCH_RATE_PER_SECOND, SHORT_SEARCH_BURST);

  /** Throws `rate_limited` when `text` is too short for the index and the bucket is empty. */
  check(org: string, user: string, text: string, nowMs: number): void {
    if ([...text].length >= TRIGRAM_MIN_CHARS || this.rate.take(org, user, nowMs)) return;
    throw rateLimited(
      `at most ${SHORT_SEARCH_RATE_PER_SECOND} searches of fewer than ${TRIGRAM_MIN_CHARS} ` +
        'characters per second',
    );
  }
}

/**
 * The rate of `chat.search` per user and node (docs/chat.md "Search at scale"). Searches run on
 * the node's event loop (SQLite) or hold a pool connection (PostgreSQL), so one member must not
 * keep the node busy with them. Two buckets, apart from the write rate:
 * - every search: a generous bucket (a user typing a query sends one per key stroke);
 * - a needle of 1 or 2 characters, which the trigram index cannot serve and which reads the
 *   room row by row (about 40-140 ms for 100,000 messages on SQLite): a small one.
 */
import { rateLimited } from '@hubcast/protocol';
import { TRIGRAM_MIN_CHARS } from '../../store/chat-rows.js';
import { SendRate } from './send-rate.js';

/** Short searches per second per user, and the burst (a user typing a query letter by letter). */
export const SHORT_SEARCH_RATE_PER_SECOND = 2;
export const SHORT_SEARCH_BURST = 10;
/** Searches of any length per second per user, and the burst. */
export const SEARCH_RATE_PER_SECOND = 5;
export const SEARCH_BURST = 20;

export class SearchRate {
  private readonly short = new SendRate(SHORT_SEARCH_RATE_PER_SECOND, SHORT_SEARCH_BURST);
  private readonly any = new SendRate(SEARCH_RATE_PER_SECOND, SEARCH_BURST);

  /** Throws `rate_limited` when the user's bucket for a search like `text` is empty. */
  check(org: string, user: string, text: string, nowMs: number): void {
    if (!this.any.take(org, user, nowMs))
      throw rateLimited(`at most ${SEARCH_RATE_PER_SECOND} searches per second`);
    if ([...text].length >= TRIGRAM_MIN_CHARS || this.short.take(org, user, nowMs)) return;
    throw rateLimited(
      `at most ${SHORT_SEARCH_RATE_PER_SECOND} searches of fewer than ${TRIGRAM_MIN_CHARS} ` +
        'characters per second',
    );
  }
}

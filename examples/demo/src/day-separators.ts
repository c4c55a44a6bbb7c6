/**
 * Day separators of a chat, in the user's IANA time zone (their `chat.profile`): "Today",
 * "Yesterday" or the date. Days are calendar days of that zone, so a message at 23:30 UTC is
 * "Today" in Berlin the next morning, and a 23- or 25-hour DST day is still one day.
 */

/** `YYYY-MM-DD` of the instant `at` in `timeZone`; throws a RangeError on an unknown zone. */
export function dayKey(at: Date, timeZone: string): string {
  // en-CA formats dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(at);
}

/** The day before a `YYYY-MM-DD` key: calendar arithmetic, not 24 hours (DST-safe). */
export function previousDayKey(key: string): string {
  const [y, m, d] = key.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1, d - 1)).toISOString().slice(0, 10);
}

/** The separator label of a message sent at `at`, seen at `now`, in `timeZone`. */
export function daySeparatorLabel(at: Date, now: Date, timeZone: string): string {
  const day = dayKey(at, timeZone);
  const today = dayKey(now, timeZone);
  if (day === today) return 'Today';
  if (day === previousDayKey(today)) return 'Yesterday';
  return new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: 'long',
    day: 'numeric',
  }).format(at);
}

export interface Dated {
  created_at: string;
}

export type WithSeparators<T> = (
  { kind: 'day'; label: string; key: string } | { kind: 'item'; item: T }
)[];

/** The items with a separator before the first item of each day of `timeZone`. */
export function withDaySeparators<T extends Dated>(
  items: readonly T[],
  now: Date,
  timeZone: string,
): WithSeparators<T> {
  const out: WithSeparators<T> = [];
  let last: string | undefined;
  for (const item of items) {
    const at = new Date(item.created_at);
    const key = dayKey(at, timeZone);
    if (key !== last) out.push({ kind: 'day', key, label: daySeparatorLabel(at, now, timeZone) });
    last = key;
    out.push({ kind: 'item', item });
  }
  return out;
}

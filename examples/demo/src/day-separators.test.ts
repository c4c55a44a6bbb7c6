import { describe, expect, it } from 'vitest';
import { dayKey, daySeparatorLabel, previousDayKey, withDaySeparators } from './day-separators.js';

const at = (iso: string): Date => new Date(iso);

describe('daySeparatorLabel', () => {
  it.each([
    // [message, now, zone, label]
    ['2026-12-03T10:00:00Z', '2026-12-03T12:00:00Z', 'UTC', 'Today'],
    ['2026-12-02T23:59:59Z', '2026-12-03T00:00:01Z', 'UTC', 'Yesterday'],
    ['2026-12-01T12:00:00Z', '2026-12-03T12:00:00Z', 'UTC', 'December 1, 2026'],
    // 23:30 UTC is already the next day in Berlin (UTC+1): Today there, Yesterday in UTC.
    ['2026-12-02T23:30:00Z', '2026-12-03T08:00:00Z', 'Europe/Berlin', 'Today'],
    ['2026-12-02T23:30:00Z', '2026-12-03T08:00:00Z', 'UTC', 'Yesterday'],
    // 02:00 UTC is still the previous evening in New York (UTC-5).
    ['2026-12-03T02:00:00Z', '2026-12-03T15:00:00Z', 'America/New_York', 'Yesterday'],
    // Kiritimati is UTC+14: its day differs from UTC's for most of the day.
    ['2026-12-03T10:30:00Z', '2026-12-03T11:00:00Z', 'Pacific/Kiritimati', 'Today'],
    ['2026-12-03T09:00:00Z', '2026-12-03T11:00:00Z', 'Pacific/Kiritimati', 'Yesterday'],
    ['2026-12-03T09:00:00Z', '2026-12-03T11:00:00Z', 'UTC', 'Today'],
    // Spring forward in Berlin (2026-03-29, a 23-hour day): 00:30 local is yesterday at 23:59.
    ['2026-03-28T23:30:00Z', '2026-03-29T21:59:00Z', 'Europe/Berlin', 'Today'],
    ['2026-03-28T22:59:00Z', '2026-03-29T21:59:00Z', 'Europe/Berlin', 'Yesterday'],
    // Fall back in New York (2026-11-01, a 25-hour day): 00:30 and 23:30 local are one day.
    ['2026-11-01T04:30:00Z', '2026-11-02T04:30:00Z', 'America/New_York', 'Today'],
    ['2026-11-01T03:59:00Z', '2026-11-02T04:30:00Z', 'America/New_York', 'Yesterday'],
    // Across a year end, in the zone's own calendar.
    ['2026-12-31T14:00:00Z', '2027-01-01T10:00:00Z', 'Asia/Tokyo', 'Yesterday'],
    ['2026-12-30T14:59:00Z', '2027-01-01T10:00:00Z', 'Asia/Tokyo', 'December 30, 2026'],
  ])('%s seen at %s in %s is %s', (message, now, zone, label) => {
    expect(daySeparatorLabel(at(message), at(now), zone)).toBe(label);
  });

  it('throws on an unknown zone', () => {
    expect(() => dayKey(at('2026-12-03T00:00:00Z'), 'Mars/Olympus')).toThrow(RangeError);
  });
});

describe('previousDayKey', () => {
  it.each([
    ['2026-03-01', '2026-02-28'],
    ['2028-03-01', '2028-02-29'],
    ['2027-01-01', '2026-12-31'],
  ])('before %s is %s', (key, previous) => expect(previousDayKey(key)).toBe(previous));
});

describe('withDaySeparators', () => {
  it('puts one separator before the first message of each local day', () => {
    const messages = [
      { id: 'a', created_at: '2026-12-02T22:00:00.000Z' },
      { id: 'b', created_at: '2026-12-02T23:30:00.000Z' },
      { id: 'c', created_at: '2026-12-03T07:00:00.000Z' },
    ];
    const rows = withDaySeparators(messages, at('2026-12-03T08:00:00Z'), 'Europe/Berlin');
    expect(rows.map((r) => (r.kind === 'day' ? r.label : r.item.id))).toEqual([
      'Yesterday',
      'a',
      'Today',
      'b',
      'c',
    ]);
  });
});

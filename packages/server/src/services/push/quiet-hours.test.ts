import { HubcastError } from '@hubcast/protocol';
import { describe, expect, it } from 'vitest';
import { parseQuietHours, quietHoursEnd } from './quiet-hours.js';

const ms = (iso: string): number => Date.parse(iso);
const NIGHT = { start: '22:00', end: '07:00' };
const BERLIN = 'Europe/Berlin';
const NEW_YORK = 'America/New_York';

describe('quietHoursEnd', () => {
  it.each([
    // [now (UTC), zone, window, end (UTC) or undefined]
    ['2026-01-15T22:30:00Z', BERLIN, NIGHT, '2026-01-16T06:00:00Z'], // 23:30 CET: ends next morning
    ['2026-01-16T02:00:00Z', BERLIN, NIGHT, '2026-01-16T06:00:00Z'], // 03:00: the part after midnight
    ['2026-01-15T21:00:00Z', BERLIN, NIGHT, '2026-01-16T06:00:00Z'], // 22:00 exactly: start is inside
    ['2026-01-16T06:00:00Z', BERLIN, NIGHT, undefined], // 07:00 exactly: end is outside
    ['2026-01-15T11:00:00Z', BERLIN, NIGHT, undefined], // noon
    ['2026-03-28T22:00:00Z', BERLIN, NIGHT, '2026-03-29T05:00:00Z'], // spring forward: 07:00 is CEST
    ['2026-10-24T21:00:00Z', BERLIN, NIGHT, '2026-10-25T06:00:00Z'], // fall back: 07:00 is CET
    // 02:30 does not exist on 29 March: quiet ends when the clocks jump to 03:00 CEST.
    ['2026-03-29T00:30:00Z', BERLIN, { start: '01:00', end: '02:30' }, '2026-03-29T01:00:00Z'],
    // 02:30 happens twice on 25 October: the first (CEST) one ends it...
    ['2026-10-24T23:30:00Z', BERLIN, { start: '01:00', end: '02:30' }, '2026-10-25T00:30:00Z'],
    // ...unless it has passed: at 02:10 CET (the second pass) it ends at 02:30 CET.
    ['2026-10-25T01:10:00Z', BERLIN, { start: '01:00', end: '02:30' }, '2026-10-25T01:30:00Z'],
    ['2026-03-08T04:00:00Z', NEW_YORK, NIGHT, '2026-03-08T11:00:00Z'], // spring forward: EDT
    ['2026-11-01T03:00:00Z', NEW_YORK, NIGHT, '2026-11-01T12:00:00Z'], // fall back: EST
    ['2026-07-01T17:30:00Z', NEW_YORK, { start: '13:00', end: '14:00' }, '2026-07-01T18:00:00Z'], // same-day window
    ['2026-01-15T17:00:00Z', 'Asia/Kolkata', NIGHT, '2026-01-16T01:30:00Z'], // +05:30
    ['2026-12-31T22:30:00Z', BERLIN, NIGHT, '2027-01-01T06:00:00Z'], // across the new year
    ['2026-06-01T23:00:00Z', 'UTC', NIGHT, '2026-06-02T07:00:00Z'],
    ['2026-06-01T23:00:00Z', 'Mars/Olympus_Mons', NIGHT, '2026-06-02T07:00:00Z'], // unknown zone: UTC
  ])('at %s in %s, %j ends at %s', (now, zone, window, end) => {
    const got = quietHoursEnd(ms(now), window, zone);
    expect(got === undefined ? undefined : new Date(got).toISOString()).toBe(
      end === undefined ? undefined : new Date(ms(end)).toISOString(),
    );
  });

  it('always answers an instant after now', () => {
    for (let t = ms('2026-10-24T20:00:00Z'); t < ms('2026-10-25T08:00:00Z'); t += 7 * 60_000) {
      const end = quietHoursEnd(t, { start: '01:00', end: '02:30' }, BERLIN);
      if (end !== undefined) expect(end).toBeGreaterThan(t);
    }
  });
});

describe('parseQuietHours', () => {
  it('takes HH:MM start and end', () => {
    expect(parseQuietHours({ start: '22:00', end: '07:30' })).toEqual({
      start: '22:00',
      end: '07:30',
    });
  });

  it.each([
    [null, /must be an object/],
    ['22:00-07:00', /must be an object/],
    [{ start: '22:00' }, /quiet_hours.end' must be a time/],
    [{ start: '24:00', end: '07:00' }, /quiet_hours.start' must be a time/],
    [{ start: '7:00', end: '08:00' }, /quiet_hours.start' must be a time/], // one digit hour
    [{ start: '22:00', end: '07:60' }, /quiet_hours.end' must be a time/],
    [{ start: '22:00', end: 700 }, /quiet_hours.end' must be a time/],
    [{ start: '22:00', end: '22:00' }, /same time/],
    [{ start: '22:00', end: '07:00', zone: 'UTC' }, /unknown field 'zone'/],
  ])('refuses %j', (value, message) => {
    let err: unknown;
    try {
      parseQuietHours(value);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(HubcastError);
    expect((err as HubcastError).code).toBe('bad_request');
    expect((err as HubcastError).message).toMatch(message);
  });
});

/**
 * Quiet hours (docs/push.md "Quiet hours"): a window of local wall-clock time, `HH:MM` to
 * `HH:MM` in the user's IANA zone, during which an offline push waits. Pure functions on Unix
 * ms and `Intl`, so daylight-saving days are computed by the zone database, not by hand.
 */
import { badRequest, isObject } from '@hubcast/protocol';

export interface QuietHours {
  /** `HH:MM`, 24-hour, inclusive. */
  start: string;
  /** `HH:MM`, 24-hour, exclusive; before `start` means the window crosses midnight. */
  end: string;
}

const HH_MM = /^([01]\d|2[0-3]):([0-5]\d)$/;
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** `notification.quiet_hours` of `POST /api/notify`, or why not (`bad_request`). */
export function parseQuietHours(value: unknown, field = 'notification.quiet_hours'): QuietHours {
  if (!isObject(value)) throw badRequest(`'${field}' must be an object {start, end}`);
  for (const key of Object.keys(value))
    if (key !== 'start' && key !== 'end')
      throw badRequest(`'${field}' has an unknown field '${key.slice(0, 32)}'`);
  const { start, end } = value;
  if (typeof start !== 'string' || !HH_MM.test(start))
    throw badRequest(`'${field}.start' must be a time HH:MM (00:00-23:59)`);
  if (typeof end !== 'string' || !HH_MM.test(end))
    throw badRequest(`'${field}.end' must be a time HH:MM (00:00-23:59)`);
  if (start === end) throw badRequest(`'${field}' must not start and end at the same time`);
  return { start, end };
}

/**
 * When quiet hours that hold at `nowMs` end, as Unix ms; `undefined` when `nowMs` is outside
 * them. The end is the first instant after `nowMs` whose local wall time reaches `end`: on a
 * spring-forward day whose `end` does not exist (02:30 in Berlin) that is the moment the clocks
 * jump (03:00); on a fall-back day whose `end` happens twice, the first one still ahead.
 * An unknown zone counts as UTC.
 */
export function quietHoursEnd(
  nowMs: number,
  window: QuietHours,
  timeZone: string,
): number | undefined {
  const zone = usableZone(timeZone);
  const startMin = minutesOf(window.start);
  const endMin = minutesOf(window.end);
  const wall = wallClock(nowMs, zone);
  const nowMin = wall.hour * 60 + wall.minute;
  const crossesMidnight = startMin > endMin;
  const inside = crossesMidnight
    ? nowMin >= startMin || nowMin < endMin
    : nowMin >= startMin && nowMin < endMin;
  if (!inside) return undefined;
  // The evening part of a window that crosses midnight ends on the next local day.
  const dayOffset = crossesMidnight && nowMin >= startMin ? 1 : 0;
  const targetWall = Date.UTC(wall.year, wall.month - 1, wall.day + dayOffset) + endMin * MINUTE_MS;
  return firstInstantReaching(targetWall, nowMs, zone);
}

/**
 * The first instant after `afterMs` whose local wall time (as naive ms) is at least `targetWall`.
 * The zone's offsets around the target give its one, two (fall back) or zero (spring forward)
 * exact instants; with none, the jump itself is found by halving to the minute.
 */
function firstInstantReaching(targetWall: number, afterMs: number, zone: string): number {
  const offsets = [...new Set([-DAY_MS, 0, DAY_MS].map((d) => offsetMs(targetWall + d, zone)))];
  const exact = offsets
    .map((offset) => targetWall - offset)
    .filter((t) => t > afterMs && wallMs(t, zone) === targetWall)
    .sort((a, b) => a - b);
  if (exact[0] !== undefined) return exact[0];
  // In a gap: before it the wall time is short of the target, after it past the target.
  let low = targetWall - Math.max(...offsets);
  let high = targetWall - Math.min(...offsets);
  while (high - low > MINUTE_MS) {
    const mid = low + Math.floor((high - low) / 2 / MINUTE_MS) * MINUTE_MS;
    if (wallMs(mid, zone) >= targetWall) high = mid;
    else low = mid;
  }
  return Math.max(high, afterMs + 1);
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** Formatters per zone; zones come from user profiles, so the cache is capped. */
const formatters = new Map<string, Intl.DateTimeFormat>();
const FORMATTERS_MAX = 256;

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (f === undefined) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    if (formatters.size >= FORMATTERS_MAX) formatters.clear();
    formatters.set(zone, f);
  }
  return f;
}

/** `timeZone` when `Intl` knows it, else UTC. */
export function usableZone(timeZone: string): string {
  try {
    formatter(timeZone);
    return timeZone;
  } catch {
    return 'UTC';
  }
}

function wallClock(ms: number, zone: string): WallClock {
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(new Date(ms)))
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return {
    year: parts['year'] ?? 1970,
    month: parts['month'] ?? 1,
    day: parts['day'] ?? 1,
    hour: parts['hour'] ?? 0,
    minute: parts['minute'] ?? 0,
    second: parts['second'] ?? 0,
  };
}

/** The local wall time at `ms` as if it were UTC, in ms (whole seconds). */
function wallMs(ms: number, zone: string): number {
  const w = wallClock(ms, zone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
}

/** The zone's offset from UTC at `ms`. */
function offsetMs(ms: number, zone: string): number {
  const whole = Math.floor(ms / 1000) * 1000;
  return wallMs(whole, zone) - whole;
}

function minutesOf(hhmm: string): number {
  const [h = '0', m = '0'] = hhmm.split(':');
  return Number(h) * 60 + Number(m);
}

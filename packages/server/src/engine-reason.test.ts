import { describe, expect, it } from 'vitest';
import { engineReasonOf, type EngineReason } from './engine-reason.js';

/** An error as a driver throws it: a message (which may hold paths or SQL) and a code. */
function driverError(message: string, code?: string): Error {
  return Object.assign(new Error(message), code === undefined ? {} : { code });
}

describe('engineReasonOf', () => {
  it.each<[label: string, cause: unknown, expected: EngineReason]>([
    // SQLite (better-sqlite3 puts the result code, extended or primary, on `code`)
    ['SQLITE_FULL', driverError('database or disk is full', 'SQLITE_FULL'), 'disk_full'],
    ['SQLITE_BUSY', driverError('database is locked', 'SQLITE_BUSY'), 'locked'],
    ['SQLITE_BUSY_SNAPSHOT', driverError('x', 'SQLITE_BUSY_SNAPSHOT'), 'locked'], // extended
    ['SQLITE_LOCKED', driverError('x', 'SQLITE_LOCKED'), 'locked'],
    [
      'SQLITE_READONLY',
      driverError('attempt to write a readonly database', 'SQLITE_READONLY'),
      'read_only',
    ],
    ['SQLITE_READONLY_DBMOVED', driverError('x', 'SQLITE_READONLY_DBMOVED'), 'read_only'],
    ['SQLITE_IOERR_WRITE', driverError('disk I/O error', 'SQLITE_IOERR_WRITE'), 'error'],
    [
      'SQLITE_CORRUPT',
      driverError('/var/lib/hubcast/events.db is malformed', 'SQLITE_CORRUPT'),
      'error',
    ],
    ['SQLITE_CANTOPEN', driverError('unable to open database file', 'SQLITE_CANTOPEN'), 'error'],
    // sockets (pg and any other network engine)
    [
      'ECONNREFUSED',
      driverError('connect ECONNREFUSED 10.0.0.7:5432', 'ECONNREFUSED'),
      'unreachable',
    ],
    ['ENOTFOUND', driverError('getaddrinfo ENOTFOUND db.internal', 'ENOTFOUND'), 'unreachable'],
    ['ECONNRESET', driverError('read ECONNRESET', 'ECONNRESET'), 'unreachable'],
    ['ETIMEDOUT', driverError('connect ETIMEDOUT 10.0.0.7:5432', 'ETIMEDOUT'), 'timeout'],
    [
      'an AggregateError of refused addresses',
      Object.assign(new AggregateError([new Error('connect ECONNREFUSED ::1:5432')], ''), {
        code: 'ECONNREFUSED',
      }),
      'unreachable',
    ],
    // PostgreSQL SQLSTATEs
    ['08006 connection failure', driverError('connection failure', '08006'), 'unreachable'],
    [
      '57P01 admin shutdown',
      driverError('terminating connection due to administrator command', '57P01'),
      'unreachable',
    ],
    [
      '57P03 cannot connect now',
      driverError('the database system is starting up', '57P03'),
      'unreachable',
    ],
    [
      '53100 disk full',
      driverError('could not extend file "base/16384/2619"', '53100'),
      'disk_full',
    ],
    [
      '55P03 lock not available',
      driverError('could not obtain lock on relation "events"', '55P03'),
      'locked',
    ],
    ['40P01 deadlock', driverError('deadlock detected', '40P01'), 'locked'],
    [
      '57014 statement timeout',
      driverError('canceling statement due to statement timeout', '57014'),
      'timeout',
    ],
    [
      '25006 read-only transaction',
      driverError('cannot execute INSERT in a read-only transaction', '25006'),
      'read_only',
    ],
    [
      '28P01 bad password',
      driverError('password authentication failed for user "hub"', '28P01'),
      'error',
    ],
    ['3D000 no such database', driverError('database "hub" does not exist', '3D000'), 'error'],
    // pg's own errors carry no code, only words
    ['a connect timeout', driverError('timeout exceeded when trying to connect'), 'timeout'],
    ['a query read timeout', driverError('Query read timeout'), 'timeout'],
    ['a terminated connection', driverError('Connection terminated unexpectedly'), 'unreachable'],
    [
      'a connection timeout',
      driverError('Connection terminated due to connection timeout'),
      'timeout',
    ],
    [
      'a dead client',
      driverError('Client has encountered a connection error and is not queryable'),
      'unreachable',
    ],
    // anything else
    ['no cause', undefined, 'error'],
    ['a plain error', new Error('something odd'), 'error'],
    ['a string', 'boom', 'error'],
  ])('%s → %s', (_label, cause, expected) => {
    expect(engineReasonOf(cause)).toBe(expected);
  });
});

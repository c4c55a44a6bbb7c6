import { describe, expect, it } from 'vitest';
import {
  pendingMigrations,
  progressMessage,
  type AppliedMigration,
  type Migration,
} from './migrations.js';
import { POSTGRES_MIGRATIONS } from './postgres-schema.js';
import { SQLITE_MIGRATIONS } from './sqlite-schema.js';

const known: Migration[] = [
  { version: 1, name: 'one', sql: '' },
  { version: 2, name: 'two', sql: '' },
  { version: 3, name: 'three', sql: '' },
];
const applied = (...versions: number[]): AppliedMigration[] =>
  versions.map((v) => ({ version: v, name: known[v - 1]?.name ?? `v${v}` }));

describe('pendingMigrations', () => {
  it.each<[label: string, applied: AppliedMigration[], pending: number[]]>([
    ['an empty database', [], [1, 2, 3]],
    ['part way', applied(1), [2, 3]],
    ['up to date', applied(1, 2, 3), []],
    ['a gap left by a failed run', applied(1, 3), [2]],
    ['rows in any order', applied(2, 1), [3]],
  ])('%s', (_label, rows, pending) => {
    expect(pendingMigrations(rows, known).map((m) => m.version)).toEqual(pending);
  });

  it('keeps the order of versions whatever the order of the list', () => {
    expect(pendingMigrations([], [...known].reverse()).map((m) => m.version)).toEqual([1, 2, 3]);
  });

  it('refuses a schema a newer hubcast migrated', () => {
    expect(() => pendingMigrations(applied(1, 2, 3, 4), known)).toThrow(
      /has migration 4 \('v4'\), but this hubcast knows versions up to 3/,
    );
  });

  it('refuses a history that names a migration differently', () => {
    expect(() => pendingMigrations([{ version: 2, name: 'other' }], known)).toThrow(
      /migration 2 was applied as 'other', but this hubcast calls it 'two'/,
    );
  });
});

describe('progressMessage', () => {
  it('counts the pending migrations and names the one starting', () => {
    expect(progressMessage({ version: 7, name: 'add things', sql: '' }, 0, 2)).toBe(
      'migrating store: 1/2 add things (version 7)',
    );
  });
});

describe('the migration lists', () => {
  it.each([
    ['sqlite', SQLITE_MIGRATIONS],
    ['postgres', POSTGRES_MIGRATIONS],
  ])('%s counts versions 1, 2, 3, ... in order', (_dialect, migrations) => {
    const versions = migrations.map((m) => m.version);
    const newest = Math.max(...versions);
    const expected = Array.from({ length: newest }, (_, i) => i + 1);
    expect(versions).toEqual(expected);
  });

  it('keeps both dialects in step, migration by migration', () => {
    // The PostgreSQL event log's tables have no SQLite twin (the SQLite log keeps its own file),
    // so the dialects agree on the store's migrations and their order, not on version numbers.
    const postgresOnly = new Set(['event log', 'event log ts index']);
    const names = (list: readonly Migration[]) =>
      list.filter((m) => !postgresOnly.has(m.name)).map((m) => m.name);
    expect(names(POSTGRES_MIGRATIONS)).toEqual(names(SQLITE_MIGRATIONS));
  });
});

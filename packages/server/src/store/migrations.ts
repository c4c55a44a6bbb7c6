/**
 * Versioned schema migrations, one list per dialect (`sqlite-schema.ts`, `postgres-schema.ts`),
 * kept as TS strings so `tsc` ships them. Each backend runs the pending ones at open, all in one
 * transaction that also records them in `schema_migrations`: a second run finds nothing to do,
 * and a failed run leaves the schema as it was.
 */

export interface Migration {
  /** 1, 2, 3, ... in order; a released migration never changes, a fix is a new one. */
  version: number;
  /** Shown in progress messages and kept in `schema_migrations`. */
  name: string;
  sql: string;
}

/** A row of `schema_migrations`. */
export interface AppliedMigration {
  version: number;
  name: string;
}

/**
 * The migrations still to run, in order. Refuses a database that a newer hubcast migrated
 * (its tables may mean what this code does not know) or whose history names a migration
 * differently (a diverged build), rather than writing into a schema it does not understand.
 */
export function pendingMigrations(
  applied: readonly AppliedMigration[],
  known: readonly Migration[],
): Migration[] {
  const byVersion = new Map(known.map((m) => [m.version, m]));
  const newest = Math.max(0, ...known.map((m) => m.version));
  for (const row of applied) {
    const own = byVersion.get(row.version);
    if (own === undefined) {
      throw new Error(
        `the store schema has migration ${row.version} ('${row.name}'), but this hubcast knows ` +
          `versions up to ${newest}: run a hubcast at least as new as the one that migrated it`,
      );
    }
    if (own.name !== row.name) {
      throw new Error(
        `store migration ${row.version} was applied as '${row.name}', but this hubcast calls ` +
          `it '${own.name}': the database was migrated by a different build`,
      );
    }
  }
  const done = new Set(applied.map((row) => row.version));
  return known.filter((m) => !done.has(m.version)).sort((a, b) => a.version - b.version);
}

/** "migrating store: 1/2 notifications inbox (version 1)" */
export function progressMessage(migration: Migration, index: number, count: number): string {
  return `migrating store: ${index + 1}/${count} ${migration.name} (version ${migration.version})`;
}

// The schema of the tables Trellis keeps across runs (app-owned and pipeline bookkeeping), as numbered
// migrations. `openDb` applies the pending ones when it opens a file: all in one transaction, recorded in
// `schema_migrations`. A database written by a newer Trellis is refused, never changed.
// Depends on @duckdb/node-api only (db.ts imports this module). How to add one: docs/architecture.md.
import type { DuckDBConnection } from '@duckdb/node-api';
import { baseline } from './001-baseline.ts';
import { successionPlans } from './002-succession-plans.ts';
import { ssoIdentities } from './003-sso-identities.ts';
import { runNotes } from './004-run-notes.ts';

export interface Migration {
  /** 1, 2, 3, … in order, never reused or renumbered once released. */
  version: number;
  /** A few words in snake_case, stored with the version. */
  name: string;
  /** Runs inside the one transaction of all pending migrations: no BEGIN/COMMIT/CHECKPOINT of its own. */
  up(conn: DuckDBConnection): Promise<void>;
}

/** Every migration, oldest first. Add new ones at the end. */
export const MIGRATIONS: readonly Migration[] = [baseline, successionPlans, ssoIdentities, runNotes];

/**
 * Tables that hold what people write through Trellis (accounts, sessions, the audit log, saved succession
 * plans, and the schema version itself). Imports and model runs never write, replace or drop them.
 */
export const APP_TABLES: readonly string[] = [
  'users', 'sessions', 'audit_log', 'schema_migrations',
  'succession_plan_roles', 'succession_plan_successors', 'succession_plan_actions', 'succession_plan_versions',
  'sso_identities',
];

/** Views over the app tables, made by the migrations (no model may take their names). */
export const APP_VIEWS: readonly string[] = ['succession_plans'];

/** The pipeline's bookkeeping: written by runs, kept across them, their shape owned by the migrations. */
export const PIPELINE_TABLES: readonly string[] = ['runs', 'run_files', 'loaded_files', 'run_history', 'rejects', 'run_notes'];

export class SchemaTooNewError extends Error {
  constructor(readonly version: number, readonly known: number) {
    super(`this database was written by a newer Trellis (schema ${version}); this version knows up to ${known}: `
      + 'open it with that version or a later one (nothing was changed)');
    this.name = 'SchemaTooNewError';
  }
}

/** A migration failed; the transaction was rolled back, so the database is as it was before. */
export class MigrationError extends Error {
  constructor(readonly migration: Migration, cause: unknown) {
    super(`schema migration ${migration.version} (${migration.name}) failed, nothing was changed: ${(cause as Error)?.message ?? cause}`,
      { cause });
    this.name = 'MigrationError';
  }
}

export interface MigrationResult {
  /** The schema version before (0: no schema_migrations, a database made before versions or a new file). */
  from: number;
  to: number;
  applied: Migration[];
}

const CREATE_SCHEMA_MIGRATIONS = `create table if not exists schema_migrations (
  version INTEGER primary key, name VARCHAR not null, applied_at TIMESTAMP not null)`;

function checkList(migrations: readonly Migration[]): void {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration "${m.name}" has version ${m.version}; expected ${i + 1} (versions run 1, 2, 3, … in list order)`);
  });
}

/** The schema version recorded in the database (0 when it has no schema_migrations table). */
async function schemaVersion(conn: DuckDBConnection): Promise<number> {
  const exists = (await conn.runAndReadAll(`select count(*)::int as n from information_schema.tables
    where table_catalog = current_database() and table_schema = 'main' and table_name = 'schema_migrations'`)).getRowObjectsJS()[0].n;
  if (!Number(exists)) return 0;
  const row = (await conn.runAndReadAll('select coalesce(max(version), 0)::int as v from schema_migrations')).getRowObjectsJS()[0];
  return Number(row.v);
}

/**
 * Apply the migrations the database has not had, in order, in one transaction: all of them or none.
 * Nothing to do is a no-op. Throws SchemaTooNewError when the database knows a version beyond the list.
 */
export async function migrate(conn: DuckDBConnection, opts: { migrations?: readonly Migration[]; now?: Date } = {}): Promise<MigrationResult> {
  const migrations = opts.migrations ?? MIGRATIONS;
  checkList(migrations);
  const known = migrations.length;
  const from = await schemaVersion(conn);
  if (from > known) throw new SchemaTooNewError(from, known);
  const pending = migrations.slice(from);
  if (!pending.length) return { from, to: from, applied: [] };
  const appliedAt = (opts.now ?? new Date()).toISOString();
  await conn.run('begin transaction');
  try {
    await conn.run(CREATE_SCHEMA_MIGRATIONS);
    for (const m of pending) {
      try {
        await m.up(conn);
      } catch (err) {
        throw new MigrationError(m, err);
      }
      await conn.run('insert into schema_migrations (version, name, applied_at) values ($version, $name, $at::timestamp)',
        { version: m.version, name: m.name, at: appliedAt });
    }
  } catch (err) {
    await conn.run('rollback');
    throw err;
  }
  await conn.run('commit'); // a failing commit is rolled back by DuckDB itself
  return { from, to: known, applied: pending };
}

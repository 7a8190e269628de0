// Small request helpers shared by route files: the signed-in user and the data's as-of/run.
import type { DuckDBConnection } from '@duckdb/node-api';
import type { FastifyRequest } from 'fastify';
import type { AuthUser } from './auth/user.ts';
import { SERVING_STATUS_SQL } from '../../pipeline/src/run-outcome.ts';
import { readOne } from './rows.ts';

export function userOf(request: FastifyRequest): AuthUser | null {
  return (request as FastifyRequest & { user?: AuthUser | null }).user ?? null;
}

/**
 * Table names of the main schema, cached per connection for a few seconds: DuckDB's catalog views
 * take ~100 ms on a loaded database, far too slow to ask on every request. A finished run (in this
 * process) clears the cache.
 */
const CATALOG_TTL_MS = 5_000;
let catalogEpoch = 0;
const catalogCache = new WeakMap<DuckDBConnection, { at: number; epoch: number; names: Set<string> }>();

export function invalidateCatalog(): void {
  catalogEpoch++;
}

export async function tableNames(conn: DuckDBConnection): Promise<Set<string>> {
  const hit = catalogCache.get(conn);
  const now = performance.now();
  if (hit && hit.epoch === catalogEpoch && now - hit.at < CATALOG_TTL_MS) return hit.names;
  const reader = await conn.runAndReadAll(`select table_name from duckdb_tables() where schema_name = 'main' and database_name = current_database()
    union all select view_name from duckdb_views() where schema_name = 'main' and database_name = current_database() and not internal`);
  const names = new Set(reader.getRowObjectsJS().map((r) => String(r.table_name)));
  catalogCache.set(conn, { at: now, epoch: catalogEpoch, names });
  return names;
}

export async function hasTable(conn: DuckDBConnection, table: string): Promise<boolean> {
  return (await tableNames(conn)).has(table);
}

export interface DataVersion { asOf: string | null; runId: number | null }

/** The last run whose results are serving (succeeded, with or without issues, or no_change on top of one). */
export async function dataVersion(conn: DuckDBConnection): Promise<DataVersion> {
  if (!(await hasTable(conn, 'runs'))) return { asOf: null, runId: null };
  const row = await readOne(conn,
    `select run_id::int as run_id, strftime(as_of::date, '%Y-%m-%d') as as_of from runs
     where ${SERVING_STATUS_SQL} order by run_id desc limit 1`);
  return { asOf: (row?.as_of as string) ?? null, runId: (row?.run_id as number) ?? null };
}

/**
 * Answers that depend only on the data and the caller's scope, kept per data version: the data changes
 * only when a run succeeds (a new run id), so under load a page's figures are computed once per version,
 * not once per request. The version is re-read at most every 250 ms (at once after a run of this process's
 * server). `key` is `<database>|<answer>|<scope>` (several servers may share a process in tests). LRU-bounded.
 */
const MEMO_MAX = 500;
const memo = new Map<string, unknown>();

const VERSION_TTL_MS = 250;
const versions = new Map<string, { at: number; epoch: number; version: DataVersion }>();

/** The data version, re-read at most every 250 ms per database (and at once after a run in this process). */
async function recentVersion(conn: DuckDBConnection, db: string): Promise<DataVersion> {
  const hit = versions.get(db);
  const now = performance.now();
  if (hit && hit.epoch === catalogEpoch && now - hit.at < VERSION_TTL_MS) return hit.version;
  const version = await dataVersion(conn);
  versions.set(db, { at: now, epoch: catalogEpoch, version });
  return version;
}

/**
 * `<epoch>|<run>|<as_of>|key` for an answer kept per data version (`key` begins with the database path),
 * or null when no run has succeeded yet (then nothing is kept).
 */
export async function versionedKey(conn: DuckDBConnection, key: string): Promise<string | null> {
  const v = await recentVersion(conn, key.split('|')[0]);
  return v.runId === null ? null : `${catalogEpoch}|${v.runId}|${v.asOf}|${key}`;
}

export async function memoByVersion<T>(conn: DuckDBConnection, key: string, compute: () => Promise<T>): Promise<T> {
  const full = await versionedKey(conn, key);
  if (full === null) return compute();
  if (memo.has(full)) {
    const hit = memo.get(full) as T;
    memo.delete(full);
    memo.set(full, hit); // most recently used last
    return hit;
  }
  const value = await compute();
  memo.set(full, value);
  if (memo.size > MEMO_MAX) memo.delete(memo.keys().next().value as string);
  return value;
}

/** The memo key of a caller's scope: admins and leaders see the same, a manager their subtree. */
export function scopeKey(user: AuthUser | null): string {
  return user ? `${user.role}:${user.employeeId ?? ''}` : 'anonymous';
}

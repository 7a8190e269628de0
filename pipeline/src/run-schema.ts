// Where a run builds, and how it publishes what it built all at once.
// A run loads its files and builds its models in a schema of its own (`run_<id>`), each statement committed
// as it goes; `main` keeps serving the last good results all the while. DuckDB scans a table created inside an
// open transaction on one thread (only committed row groups are split among threads, bench/README.md
// "Session 7"), so building outside one lets every model read its inputs on all cores.
// All or nothing stays: the run publishes in its one transaction, where `main`'s name for each object it built
// becomes a view onto the run's schema (catalog changes only, no row copied). Until that commit nothing
// outside the run's schema has changed; a failed or interrupted run leaves a schema that
// `dropUnpublished` removes.
import type { DuckDBConnection } from '@duckdb/node-api';
import { all, exec, ident, one, schemaObjects } from './db.ts';

/**
 * Create the run's schema (empty) with its own `rejects` (main's columns), and make it where this connection
 * creates and first looks for a name (then `main`): ingest and the models then work as they do on `main`.
 */
export async function enterRunSchema(conn: DuckDBConnection, runId: number): Promise<string> {
  const schema = `run_${runId}`;
  await exec(conn, `drop schema if exists ${ident(schema)} cascade`);
  await exec(conn, `create schema ${ident(schema)}`);
  await exec(conn, `create table ${ident(schema)}.rejects as select * from main.rejects where false`);
  await joinRunSchema(conn, schema);
  return schema;
}

/** Another connection of the run (one building models beside the run's own) creates and looks in its schema too. */
export async function joinRunSchema(conn: DuckDBConnection, schema: string): Promise<void> {
  await exec(conn, `set search_path = '${schema},main'`);
}

/** The connection creates and looks in `main` again. */
export async function leaveRunSchema(conn: DuckDBConnection): Promise<void> {
  await exec(conn, 'reset search_path');
}

/**
 * In the caller's transaction: `main`'s name for every object the run built becomes a view onto it (a table of
 * that name in `main`, as an earlier Trellis kept them, is dropped first), and the run's rejects join `main`'s.
 * `retired`: names `main` should no longer hold (models now kept in memory only, `-- materialized: temp`).
 */
export async function publishRunSchema(conn: DuckDBConnection, schema: string, retired: readonly string[] = []): Promise<void> {
  const built = [...(await schemaObjects(conn, schema)).keys()].filter((n) => n !== 'rejects' && !n.startsWith('_')).sort();
  const serving = await schemaObjects(conn, 'main');
  for (const name of retired) {
    const kind = serving.get(name);
    if (kind && !built.includes(name)) await exec(conn, `drop ${kind} main.${ident(name)}`);
  }
  for (const name of built) {
    if (serving.get(name) === 'table') await exec(conn, `drop table main.${ident(name)}`);
    await exec(conn, `create or replace view main.${ident(name)} as select * from ${ident(schema)}.${ident(name)}`);
  }
  await exec(conn, `insert into main.rejects by name select * from ${ident(schema)}.rejects`);
  await exec(conn, `drop table ${ident(schema)}.rejects`);
}

/** What a view of `main` publishes (the text publishRunSchema writes; DuckDB keeps it as written): `schema.name`s. */
function publishedBy(sql: string): string[] {
  return [...sql.matchAll(/\bfrom\s+"?(run_\d+)"?\."?([a-z0-9_]+)"?/gi)].map((m) => `${m[1]}.${m[2]}`);
}

/**
 * The table behind `main`'s name (quoted, qualified): the run schema's table a view of `main` publishes, or `main`'s
 * own table. For tests and tools that must write the rows a name serves.
 */
export async function servingTable(conn: DuckDBConnection, name: string): Promise<string> {
  const view = await one<{ sql: string }>(conn, `select sql from duckdb_views()
    where database_name = current_database() and schema_name = 'main' and view_name = $name and not temporary`, { name });
  const target = view ? publishedBy(view.sql)[0] : undefined;
  if (!target) return `main.${ident(name)}`;
  const [schema, table] = target.split('.');
  return `${ident(schema)}.${ident(table)}`;
}

/** The run schemas' objects `main`'s views read, as `schema.name`. */
async function published(conn: DuckDBConnection): Promise<Set<string>> {
  const views = await all<{ sql: string }>(conn, `select sql from duckdb_views()
    where database_name = current_database() and schema_name = 'main' and not internal and not temporary`);
  return new Set(views.flatMap((v) => publishedBy(v.sql)));
}

/**
 * Drop what no view of `main` reads: what an earlier run built and a later one replaced, and the whole schema of
 * a failed or interrupted run. A dataset no run has loaded since keeps serving from the schema that loaded it.
 */
export async function dropUnpublished(conn: DuckDBConnection): Promise<void> {
  const schemas = (await all<{ name: string }>(conn,
    'select schema_name as name from duckdb_schemas() where database_name = current_database()'))
    .map((r) => r.name).filter((s) => /^run_\d+$/.test(s));
  if (!schemas.length) return;
  const keep = await published(conn);
  for (const schema of schemas) {
    const objects = await schemaObjects(conn, schema);
    const kept = [...objects.keys()].filter((n) => keep.has(`${schema}.${n}`));
    if (!kept.length) {
      await exec(conn, `drop schema ${ident(schema)} cascade`);
      continue;
    }
    // a view kept may read anything of its schema (none does today: every run rebuilds all the models)
    if (kept.some((n) => objects.get(n) === 'view')) continue;
    for (const [name, kind] of objects) if (!kept.includes(name)) await exec(conn, `drop ${kind} ${ident(schema)}.${ident(name)}`);
  }
}

// A run builds in its own schema and publishes through views of main (run-schema.ts): on a database an earlier
// Trellis wrote (every result a table of main), and after a run that died half-way. Real DuckDB files, the repo's models.
import type { DuckDBConnection } from '@duckdb/node-api';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { all, exec, openDb, type Db } from './db.ts';
import { ensureSourceTables, loadFiles } from './ingest/index.ts';
import { runModels } from './model-build.ts';
import { discoverModels, modelsFingerprint } from './models.ts';
import { runPipeline } from './run.ts';
import { enterRunSchema, leaveRunSchema, servingTable } from './run-schema.ts';

const ORG = path.resolve(import.meta.dirname, '../../fixtures/orgs/paths');
const AS_OF = fs.readFileSync(path.join(ORG, 'as_of.txt'), 'utf8').trim();

describe('a run in its own schema', () => {
  let tmp: string;
  let inbox: string;
  let db: Db;
  let conn: DuckDBConnection;
  const kind = async (name: string) => (await all<{ k: string }>(conn, `select table_type as k from information_schema.tables
    where table_catalog = current_database() and table_schema = 'main' and table_name = $name`, { name }))[0]?.k ?? null;
  const count = async (table: string) => Number((await all<{ n: number }>(conn, `select count(*)::int as n from ${table}`))[0].n);
  const runSchemas = async () => (await all<{ s: string }>(conn, `select schema_name as s from duckdb_schemas()
    where database_name = current_database() and schema_name like 'run\\_%' escape '\\' order by 1`)).map((r) => r.s);

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-run-schema-'));
    inbox = path.join(tmp, 'inbox');
    fs.mkdirSync(inbox);
    db = await openDb(path.join(tmp, 'trellis.duckdb'));
    conn = await db.connect();
    // What the version before wrote: the files loaded into main's src_ tables and every model a table of main,
    // in one transaction, with a run row; plus a table of a model that is temp now.
    await ensureSourceTables(conn);
    const files = fs.readdirSync(ORG).filter((f) => f.endsWith('.csv')).map((f) => ({ path: path.join(ORG, f), name: f }));
    await exec(conn, 'begin transaction');
    await loadFiles(conn, files, { runId: 1 });
    const models = discoverModels();
    await runModels(conn, { asOf: AS_OF, models });
    await exec(conn, 'create table hist_path_state as select 1 as stale');
    await exec(conn, `insert into runs (run_id, started_at, as_of, trigger, status, models_sha256)
      values (1, timestamp '2026-07-01 02:00:00', $as_of::date, 'cli', 'succeeded', $sha)`, { as_of: AS_OF, sha: modelsFingerprint(models) });
    await exec(conn, 'commit');
  });
  afterAll(() => {
    db.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('on a database an earlier version wrote, serves views in place of its tables and keeps every row', async () => {
    const before = {
      careerPathState: await count('career_path_state'), checkIns: await count('src_check_ins'), employees: await count('src_employees'),
      risk: await all(conn, 'select * from retention_risk order by employee_id'),
    };
    expect(await kind('career_path_state')).toBe('BASE TABLE');
    // a new check-in (an event dataset: upserted into a copy of the serving rows in the run's schema)
    fs.writeFileSync(path.join(inbox, 'check_ins_2026-07.csv'),
      'employee_id,manager_id,week_of,pulse,career_discussed,manager_replied\nA02,A01,2026-07-06,3,false,true\n');
    const s = await runPipeline(db, { inbox, asOf: AS_OF, trigger: 'cli', clock: () => new Date('2026-07-07T02:00:00Z') });
    expect(s.error).toBeNull();
    expect(s.status).toBe('succeeded');
    expect(await kind('career_path_state')).toBe('VIEW');
    expect(await servingTable(conn, 'career_path_state')).toBe(`"run_${s.runId}"."career_path_state"`);
    expect(await count('career_path_state')).toBe(before.careerPathState);
    expect(await all(conn, 'select * from retention_risk order by employee_id')).toEqual(before.risk);
    // the check-ins: the earlier rows and the new one, served from the run's schema
    expect(await kind('src_check_ins')).toBe('VIEW');
    expect(await count('src_check_ins')).toBe(before.checkIns + 1);
    // employees were not loaded again: main's own table keeps serving
    expect(await kind('src_employees')).toBe('BASE TABLE');
    expect(await count('src_employees')).toBe(before.employees);
    // a model kept in memory now (materialized: temp) leaves no stale table behind
    expect(await kind('hist_path_state')).toBeNull();
    expect(await runSchemas()).toEqual([`run_${s.runId}`]);
  });

  it('drops what a run that died half-way built, at the next run, and serves as before meanwhile', async () => {
    const risk = await all(conn, 'select * from retention_risk order by employee_id');
    // a run that loaded a file and built a model in its schema, then its process died
    await enterRunSchema(conn, 99);
    await exec(conn, 'create table src_employees as select * from main.src_employees where false');
    await exec(conn, 'create table retention_risk as select * from main.retention_risk where false');
    await leaveRunSchema(conn);
    expect(await runSchemas()).toContain('run_99');
    expect(await all(conn, 'select * from retention_risk order by employee_id')).toEqual(risk);
    const s = await runPipeline(db, { inbox, asOf: AS_OF, trigger: 'cli', clock: () => new Date('2026-07-08T02:00:00Z') });
    expect(s.status).toBe('no_change');
    expect(await runSchemas()).not.toContain('run_99');
    expect(await all(conn, 'select * from retention_risk order by employee_id')).toEqual(risk);
  });
});

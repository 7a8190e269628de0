import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DuckDBConnection } from '@duckdb/node-api';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DATASETS, duckType } from './datasets.ts';
import { all, exec, ident, openDb, type Db } from './db.ts';
import { ModelTestError, modelTester } from './model-tests.ts';
import { ModelBuildError, buildModels, dropTempModels, runModels } from './model-build.ts';
import {
  ModelCycleError, ModelDefinitionError, SQL_DIR, discoverModels, modelsFingerprint, orderModels, parseSpec, tableRefs,
} from './models.ts';

function sqlDir(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-sql-'));
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

describe('tableRefs', () => {
  it.each([
    ['select * from stg_employees', ['stg_employees']],
    ['select * from main.stg_roles r join "stg_skills" s on r.x = s.x', ['stg_roles', 'stg_skills']],
    ['select * from a, b as bb, c where 1=1', ['a', 'b', 'c']],
    ['with x as (select * from src_roles), y as materialized (select * from x) select * from y left join int_z using (k)', ['int_z', 'src_roles']],
    ["select 'from fake_table' as s, extract(year from d) from t -- from commented\n/* join nope */", ['d', 't']],
    ['select * from range(10) r cross join unnest([1]) u', []],
    ['select * from (select * from inner_t) q anti join other_t o on q.k = o.k', ['inner_t', 'other_t']],
    ['select * from t1 positional join t2', ['t1', 't2']],
    ['with recursive walk(a, b) as (select * from objs union all select * from walk join objs using (a)) select * from walk', ['objs']],
  ])('%s', (sql, refs) => {
    expect(tableRefs(sql)).toEqual(refs);
  });
});

describe('discover and order', () => {
  it('orders by the tables each model reads, not by folder or name', () => {
    const dir = sqlDir({
      'marts/a_mart.sql': 'select * from int_z join stg_b using (k)',
      'intermediate/int_z.sql': 'select * from int_y',
      'intermediate/int_y.sql': 'with stg_b as (select 1 as k) select * from stg_a, stg_b',
      'staging/stg_a.sql': 'select * from src_a',
      'staging/stg_b.sql': 'select * from src_b;\n',
    });
    const models = discoverModels(dir);
    const y = models.find((m) => m.name === 'int_y')!;
    expect(y.deps).toEqual(['stg_a']); // stg_b is a CTE there
    const order = orderModels(models).map((m) => m.name);
    expect(order.indexOf('int_y')).toBeLessThan(order.indexOf('int_z'));
    expect(order.indexOf('int_z')).toBeLessThan(order.indexOf('a_mart'));
    expect(order.indexOf('stg_b')).toBeLessThan(order.indexOf('a_mart'));
    expect(models.find((m) => m.name === 'stg_b')!.sql).toBe('select * from src_b');
    expect(models.find((m) => m.name === 'stg_a')!.sources).toEqual(['src_a']);
  });

  it('names a cycle', () => {
    const dir = sqlDir({
      'intermediate/int_a.sql': 'select * from int_b',
      'intermediate/int_b.sql': 'select * from int_c',
      'intermediate/int_c.sql': 'select * from int_a',
    });
    const models = discoverModels(dir);
    expect(() => orderModels(models)).toThrow(ModelCycleError);
    expect(() => orderModels(models)).toThrow('int_a → int_b → int_c → int_a');
  });

  it('refuses duplicate stems and bad names', () => {
    expect(() => discoverModels(sqlDir({ 'staging/x.sql': 'select 1', 'marts/x.sql': 'select 2' }))).toThrow(/two models build the table x/);
    expect(() => discoverModels(sqlDir({ 'marts/Bad-Name.sql': 'select 1' }))).toThrow(/lower_snake_case/);
  });

  it.each(['users', 'audit_log', 'schema_migrations', 'runs', 'rejects', 'succession_plan_roles', 'succession_plans'])('refuses a model named %s (a table the migrations own)', (name) => {
    expect(() => discoverModels(sqlDir({ [`marts/${name}.sql`]: 'select 1 as x' })))
      .toThrow(new RegExp(`marts/${name}\\.sql: ${name} is a table Trellis keeps across runs`));
  });

  it('the repo sql/ folder has no cycle, one staging model per dataset, and a .yml for every mart', () => {
    const models = discoverModels(SQL_DIR);
    expect(() => orderModels(models)).not.toThrow();
    for (const d of DATASETS) expect(models.map((m) => m.name)).toContain(`stg_${d.name}`);
    const missing = models.filter((m) => m.layer === 'marts' && !m.spec).map((m) => m.file);
    expect(missing).toEqual([]);
  });
});

describe('materialization', () => {
  it('staging is a view, the rest tables, unless a leading `-- materialized:` line says otherwise', () => {
    const models = discoverModels(sqlDir({
      'staging/stg_a.sql': 'select * from src_a',
      'staging/stg_b.sql': '-- stg_b: kept as a table\n-- materialized: table\nselect * from src_b',
      'intermediate/int_c.sql': '--  Materialized:  VIEW\nselect * from stg_a',
      'marts/d.sql': 'select 1 as k -- materialized: view (not a leading comment)',
      'intermediate/int_e.sql': '-- materialized: temp\nselect * from stg_a',
    }));
    expect(Object.fromEntries(models.map((m) => [m.name, m.materialized]))).toEqual({
      stg_a: 'view', stg_b: 'table', int_c: 'view', d: 'table', int_e: 'temp',
    });
    // in the repo: staging views, the intermediates whose one reader uses the rows as they are computed, and
    // temp tables for the intermediates nothing reads after the run (bench/README.md "Temp tables, measured on a quiet box")
    const views = (m: { layer: string; name: string }) => m.layer === 'staging'
      || ['int_mobility_options_collected', 'int_skill_gaps_computed'].includes(m.name);
    const temps = new Set(['hist_employment_spans', 'hist_goals_live', 'hist_path_state', 'hist_path_targets', 'hist_role_coverage', 'hist_role_timelines', 'hist_succession']);
    for (const m of discoverModels(SQL_DIR)) expect(m.materialized).toBe(views(m) ? 'view' : temps.has(m.name) ? 'temp' : 'table');
  });

  it('refuses another kind, naming file and line, and the kind is part of the fingerprint', () => {
    expect(() => discoverModels(sqlDir({ 'marts/m.sql': '-- m\n-- materialized: ephemeral\nselect 1' })))
      .toThrow(/marts\/m\.sql:2: materialized must be "view", "table" or "temp", not "ephemeral"/);
    const a = discoverModels(sqlDir({ 'marts/m.sql': 'select 1' }));
    expect(modelsFingerprint([{ ...a[0], materialized: 'view' }])).not.toBe(modelsFingerprint(a));
    expect(modelsFingerprint([{ ...a[0], materialized: 'temp' }])).not.toBe(modelsFingerprint(a));
  });

  it('refuses a view that reads a temp model (the view would outlive it); a table may', () => {
    const files = { 'intermediate/int_t.sql': '-- materialized: temp\nselect 1 as k', 'marts/m.sql': 'select k from int_t' };
    expect(discoverModels(sqlDir(files)).map((m) => m.name).sort()).toEqual(['int_t', 'm']);
    expect(() => discoverModels(sqlDir({ ...files, 'marts/m.sql': '-- materialized: view\nselect k from int_t' })))
      .toThrow(/marts\/m\.sql: a view may not read int_t, a temp model/);
  });
});

describe('enum columns', () => {
  it('reads the `-- enum:` columns of a table model; refuses bad names and views, naming file and line', () => {
    const models = discoverModels(sqlDir({
      'marts/a.sql': "-- a: list\n-- enum: dept, band\nselect 'x' as dept, 'y' as band",
      'marts/b.sql': "select 1 as k -- enum: k (not a leading comment)",
    }));
    expect(Object.fromEntries(models.map((m) => [m.name, m.enumColumns]))).toEqual({ a: ['dept', 'band'], b: [] });
    expect(() => discoverModels(sqlDir({ 'marts/m.sql': '-- m\n-- enum: dept, "x; drop"\nselect 1' })))
      .toThrow(/marts\/m\.sql:2: enum takes column names separated by commas, not "\\"x; drop\\""/);
    expect(() => discoverModels(sqlDir({ 'marts/m.sql': '-- materialized: view\n-- enum: k\nselect 1 as k' })))
      .toThrow(/marts\/m\.sql:2: enum columns need a table model/);
    expect(discoverModels(SQL_DIR).find((m) => m.name === 'retention_list')?.enumColumns)
      .toEqual(['department', 'role_id', 'job_family', 'manager_name', 'path_state', 'band', 'reasons', 'factors_off']);
  });
});

describe('parseSpec', () => {
  it('reads the architecture example', () => {
    const spec = parseSpec(`
grain: one row per employee
unique: [employee_id, target_role_id]
columns:
  - name: employee_id
    tests: [not_null, {relationships: {to: career_path_state, field: employee_id}}]
  - name: target_kind
    tests: [not_null, {accepted_values: {values: [path, default_next, current]}}]
tests:
  - {expression: "coverage between 0 and 1", where: "coverage is not null"}
`, 'x.yml');
    expect(spec.unique).toEqual(['employee_id', 'target_role_id']);
    expect(spec.columns[0].tests[1]).toEqual({ kind: 'relationships', to: 'career_path_state', field: 'employee_id', where: undefined });
    expect(spec.expressions).toEqual([{ expression: 'coverage between 0 and 1', where: 'coverage is not null' }]);
  });
  it.each([
    ['columns: [{name: a, tests: [maybe_null]}]', /column a: unknown test/],
    ['columns: [{name: a, tests: [{relationships: {to: b}}]}]', /relationships needs/],
    ['unique: a', /"unique" must be a list/],
    ['tests: [{where: "x"}]', /tests\[0\] must be/],
  ])('refuses %s', (text, message) => {
    expect(() => parseSpec(text, 'm.yml')).toThrow(ModelDefinitionError);
    expect(() => parseSpec(text, 'm.yml')).toThrow(message);
  });
});

describe('runModels on DuckDB', () => {
  let db: Db;
  let conn: DuckDBConnection;
  beforeAll(async () => {
    db = await openDb(path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-models-')), 't.duckdb'));
    conn = await db.connect();
    // src_ tables as ingest defines them (typed canonical columns + lineage)
    for (const d of DATASETS) {
      const cols = d.columns.map((c) => `${ident(c.name)} ${duckType(c)}`).join(', ');
      await exec(conn, `create table ${ident(`src_${d.name}`)} (${cols}, _run_id integer, _file varchar, _line integer)`);
    }
    await exec(conn, `insert into src_employees (employee_id, full_name, department, role_id, hire_date, termination_date) values
      ('e1', 'A', 'Eng', 'r1', date '2020-01-01', null),
      ('e2', 'B', 'Eng', 'r1', date '2020-01-01', date '2026-03-31'),
      ('e3', 'C', 'Ops', 'r1', date '2026-04-01', null),
      ('e4', 'D', 'Ops', 'r1', date '2021-01-01', date '2026-04-01')`);
  });
  afterAll(() => db.close());

  it('builds staging + headcount from the repo and passes its tests', async () => {
    const models = discoverModels(SQL_DIR).filter((m) => m.layer === 'staging' || m.name === 'headcount');
    const result = await runModels(conn, { asOf: '2026-03-31', models });
    expect(result.models.map((m) => m.model)).toContain('headcount');
    expect(result.tests).toBeGreaterThan(3);
    // e2 leaves on as_of (gone), e3 not hired yet, e4 leaves the day after (still active)
    expect(await all(conn, 'select department, n_active from headcount order by department')).toEqual([
      { department: 'Eng', n_active: 1 }, { department: 'Ops', n_active: 1 },
    ]);
    const cols = await all<{ column_name: string }>(conn,
      "select column_name from information_schema.columns where table_name = 'stg_goals' order by ordinal_position");
    expect(cols.map((c) => c.column_name)).toEqual(DATASETS.find((d) => d.name === 'goals')!.columns.map((c) => c.name));
  });

  it('binds $as_of: another date, another answer', async () => {
    const models = discoverModels(SQL_DIR).filter((m) => m.layer === 'staging' || m.name === 'headcount');
    await runModels(conn, { asOf: '2026-04-01', models });
    expect(await all(conn, 'select department, n_active from headcount order by department')).toEqual([
      { department: 'Eng', n_active: 1 }, { department: 'Ops', n_active: 1 },
    ]);
    await runModels(conn, { asOf: '2019-12-31', models });
    expect(await all(conn, 'select count(*)::int as n from headcount')).toEqual([{ n: 0 }]);
  });

  it('reports each failing test with model, column, test and count', async () => {
    const dir = sqlDir({
      'marts/m.sql': "select * from (values (1, 'a', 'x'), (1, null, 'y'), (2, 'b', 'zzz')) t(k, v, kind)",
      'marts/m.yml': `
unique: [k]
columns:
  - name: v
    tests: [not_null, unique]
  - name: kind
    tests: [{accepted_values: {values: [x, y]}}, {relationships: {to: ref_t, field: kind}}]
tests:
  - {expression: "k < 2"}
  - {expression: "k < 2", where: "kind = 'x'"}
`,
      'marts/ref_t.sql': "select 'x' as kind",
      'marts/ref_t.yml': 'columns: [{name: kind, tests: [not_null]}]',
    });
    const err = await runModels(conn, { asOf: '2026-01-01', sqlDir: dir }).catch((e) => e);
    expect(err).toBeInstanceOf(ModelTestError);
    const byTest = Object.fromEntries((err as ModelTestError).failures.map((f) => [`${f.column}|${f.test}`, f.failing]));
    expect(byTest).toEqual({
      'k|unique': 2,
      'v|not_null': 1,
      'kind|accepted_values [x, y]': 1,
      'kind|relationships to ref_t.kind': 2,
      'null|expression "k < 2"': 1,
    });
    expect(err.message).toContain('m.v not_null (1 failing row)');
  });

  it('counts the row tests of a model in one scan: each accepted_values keeps its own values', async () => {
    const dir = sqlDir({
      'marts/m2.sql': "select * from (values ('a', 'p'), ('b', 'q'), ('c', 'q')) t(x, y)",
      'marts/m2.yml': `
columns:
  - name: x
    tests: [{accepted_values: {values: [a, b]}}]
  - name: y
    tests: [{accepted_values: {values: [p]}}, not_null]
`,
    });
    const err = await runModels(conn, { asOf: '2026-01-01', sqlDir: dir }).catch((e) => e);
    expect(err).toBeInstanceOf(ModelTestError);
    expect((err as ModelTestError).failures.map((f) => `${f.column} ${f.test} ${f.failing}`)).toEqual([
      'x accepted_values [a, b] 1', 'y accepted_values [p] 2',
    ]);
  });

  it('names the test whose expression cannot run, even when row tests are counted together', async () => {
    const dir = sqlDir({
      'marts/m3.sql': 'select 1 as k',
      'marts/m3.yml': 'columns: [{name: k, tests: [not_null]}]\ntests: [{expression: "no_such_column > 0"}]\n',
    });
    const err = await runModels(conn, { asOf: '2026-01-01', sqlDir: dir }).catch((e) => e);
    expect(err).toBeInstanceOf(ModelDefinitionError);
    expect(err.message).toMatch(/test expression "no_such_column > 0" on m3 could not run/);
  });

  it('names the model whose SQL fails', async () => {
    const dir = sqlDir({ 'marts/broken.sql': 'select * from no_such_table' });
    const err = await runModels(conn, { asOf: '2026-01-01', sqlDir: dir }).catch((e) => e);
    expect(err).toBeInstanceOf(ModelBuildError);
    expect(err.message).toMatch(/model broken \(marts\/broken\.sql\) failed: .*no_such_table/);
  });

  it('emits progress for each model', async () => {
    const dir = sqlDir({ 'marts/p1.sql': 'select 1 as a', 'marts/p2.sql': 'select * from p1' });
    const events: string[] = [];
    await runModels(conn, { asOf: '2026-01-01', sqlDir: dir, onProgress: (p) => events.push(`${p.phase}:${p.model}:${p.done}/${p.total}`) });
    expect(events).toEqual(['models:p1:0/2', 'models:p2:1/2', 'models::2/2']);
  });

  it('builds views with $as_of written in, switches kind in the transaction, and a rollback restores the old kind', async () => {
    const kinds = async () => Object.fromEntries((await all<{ n: string; k: string }>(conn,
      `select table_name as n, 'table' as k from duckdb_tables() where table_name in ('v1', 'v2')
       union all select view_name, 'view' from duckdb_views() where view_name in ('v1', 'v2')`)).map((r) => [r.n, r.k]));
    const asView = sqlDir({
      'marts/v1.sql': '-- materialized: view\nselect $as_of::date as d, 1 as k',
      'marts/v2.sql': 'select k + 1 as k from v1 -- reads a view',
    });
    const asTable = sqlDir({ 'marts/v1.sql': 'select $as_of::date as d, 2 as k', 'marts/v2.sql': '-- materialized: view\nselect k from v1' });
    await runModels(conn, { asOf: '2026-02-03', sqlDir: asTable });
    expect(await kinds()).toEqual({ v1: 'table', v2: 'view' });
    await runModels(conn, { asOf: '2026-02-03', sqlDir: asView });
    expect(await kinds()).toEqual({ v1: 'view', v2: 'table' });
    expect(await all(conn, "select strftime(d, '%Y-%m-%d') as d, k from v1, (select k as k2 from v2)")).toEqual([{ d: '2026-02-03', k: 1 }]);
    await exec(conn, 'begin transaction');
    await runModels(conn, { asOf: '2026-02-04', sqlDir: asTable });
    expect(await kinds()).toEqual({ v1: 'table', v2: 'view' });
    await exec(conn, 'rollback');
    expect(await kinds()).toEqual({ v1: 'view', v2: 'table' });
    expect(await all(conn, "select strftime(d, '%Y-%m-%d') as d, k from v1")).toEqual([{ d: '2026-02-03', k: 1 }]);
  });

  it('builds a temp model as a temporary table later models read, drops the table an earlier build left in main, and dropTempModels removes it', async () => {
    const inMain = async () => (await all<{ n: string }>(conn,
      "select table_name as n from duckdb_tables() where database_name = current_database() and table_name in ('t1', 't2') order by 1")).map((r) => r.n);
    const asTable = sqlDir({ 'marts/t1.sql': 'select 1 as k', 'marts/t2.sql': 'select k + 1 as k from t1' });
    const asTemp = sqlDir({ 'marts/t1.sql': '-- materialized: temp\nselect 5 as k', 'marts/t2.sql': 'select k + 1 as k from t1' });
    await runModels(conn, { asOf: '2026-02-03', sqlDir: asTable });
    expect(await inMain()).toEqual(['t1', 't2']);
    const models = discoverModels(asTemp);
    await runModels(conn, { asOf: '2026-02-03', models });
    expect(await inMain()).toEqual(['t2']);
    expect(await all(conn, 'select k from t2')).toEqual([{ k: 6 }]);
    expect(await all(conn, "select database_name as db from duckdb_tables() where table_name = 't1'")).toEqual([{ db: 'temp' }]);
    await dropTempModels(conn, models);
    expect(await all(conn, "select table_name from duckdb_tables() where table_name = 't1'")).toEqual([]);
    expect(await all(conn, 'select k from t2')).toEqual([{ k: 6 }]);
  });

  it('with dropTempAfterUse drops a temp model once its last reader is built (a run), and keeps one nothing reads for dropTempModels', async () => {
    const temps = async () => (await all<{ n: string }>(conn,
      "select table_name as n from duckdb_tables() where database_name = 'temp' and table_name in ('u1', 'u2', 'u4') order by 1")).map((r) => r.n);
    // u1 (temp) ← u2 (temp) ← u3 (table); u4 (temp) is read by nothing
    const dir = sqlDir({
      'intermediate/u1.sql': '-- materialized: temp\nselect 1 as k', 'intermediate/u2.sql': '-- materialized: temp\nselect k + 1 as k from u1',
      'marts/u3.sql': 'select k + 1 as k from u2 union all select k from u1', 'marts/u4.sql': '-- materialized: temp\nselect 9 as k',
    });
    const models = discoverModels(dir);
    await runModels(conn, { asOf: '2026-02-03', models, dropTempAfterUse: true });
    expect(await all(conn, 'select k from u3 order by k')).toEqual([{ k: 1 }, { k: 3 }]);
    expect(await temps()).toEqual(['u4']);
    await dropTempModels(conn, models);
    expect(await temps()).toEqual([]);
    // without the option (tests that read the building blocks) every temp model stays until dropTempModels
    await runModels(conn, { asOf: '2026-02-03', models });
    expect(await temps()).toEqual(['u1', 'u2', 'u4']);
    await dropTempModels(conn, models);
  });

  it('with workers, builds models on both connections at once, each after its inputs; temp models and their readers on the first', async () => {
    // w_a and w_c have no inputs: the two connections start one each. w_t is temp and six models read it: had
    // one of them gone to the second connection it could not see w_t and would fail.
    const readers = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`marts/w_r${i}.sql`, `select sum(k)::bigint + ${i} as s from w_t`]));
    const dir = sqlDir({
      'intermediate/w_a.sql': 'select range as k from range(1000)',
      'intermediate/w_c.sql': 'select range as k from range(10)',
      'intermediate/w_t.sql': '-- materialized: temp\nselect k * 2 as k from w_a',
      ...readers,
      'marts/w_all.sql': `select ${Array.from({ length: 6 }, (_, i) => `(select s from w_r${i})`).join(' + ')} as total, (select count(*) from w_c)::int as n`,
    });
    const second = await db.connect();
    try {
      const events: string[] = [];
      const timings = await buildModels(conn, discoverModels(dir), {
        asOf: '2026-02-03', workers: [second], dropTempAfterUse: true, onProgress: (p) => events.push(`${p.model}:${p.done}`),
      });
      expect(events.slice(0, 2).sort()).toEqual(['w_a:0', 'w_c:0']);
      expect(timings.map((t) => t.model)).toEqual(orderModels(discoverModels(dir)).map((m) => m.name));
      // 6 × 999000 + (0 + 1 + … + 5)
      expect(await all(conn, 'select total::bigint as total, n from w_all')).toEqual([{ total: 5994015n, n: 10 }]);
      expect(await all(conn, "select table_name from duckdb_tables() where database_name = 'temp' and table_name = 'w_t'")).toEqual([]);
    } finally {
      second.closeSync();
    }
  });

  it('with workers, stops at a failing model: it is named, nothing reading it is built', async () => {
    const dir = sqlDir({
      'intermediate/x_ok.sql': 'select 1 as k',
      'intermediate/x_bad.sql': 'select * from no_such_table_here',
      'marts/x_after.sql': 'select * from x_bad',
    });
    const second = await db.connect();
    try {
      const err = await buildModels(conn, discoverModels(dir), { asOf: '2026-02-03', workers: [second] }).catch((e) => e);
      expect(err).toBeInstanceOf(ModelBuildError);
      expect(err.message).toMatch(/model x_bad \(intermediate\/x_bad\.sql\) failed: .*no_such_table_here/);
      expect(await all(conn, "select table_name from duckdb_tables() where table_name = 'x_after'")).toEqual([]);
    } finally {
      second.closeSync();
    }
  });

  it('with after-tasks, starts each once the models it reads are built, on either connection; tests found failing are all reported once every model is built', async () => {
    // z_c ends the longest chain; z_bad's tests fail (a repeated key, a null) while z_c is still to build
    const dir = sqlDir({
      'intermediate/z_a.sql': 'select range as k from range(200000)',
      'intermediate/z_b.sql': 'select k + 1 as k from z_a',
      'marts/z_c.sql': 'select count(*)::int as n, sum(k)::bigint as s from z_b',
      'marts/z_bad.sql': 'select * from (values (1, 1), (1, null)) t(k, v)',
      'marts/z_bad.yml': 'unique: [k]\ncolumns: [{name: v, tests: [not_null]}]',
      'marts/z_c.yml': 'columns: [{name: n, tests: [not_null]}]',
    });
    const models = discoverModels(dir);
    const second = await db.connect();
    try {
      const events: string[] = [];
      const onProgress = (p: { phase: string; model: string }) => events.push(`${p.phase}:${p.model}`);
      const tester = modelTester(models, { onProgress });
      const seen: string[] = [];
      const after = [
        ...tester.tested.map((m) => ({ name: `tests of ${m.name}`, reads: tester.reads(m), run: (c: DuckDBConnection) => tester.test(c, m) })),
        // reads z_c: before z_c is built this query fails, and the build with it
        { name: 'sum', reads: ['z_c'], message: 'summing', run: async (c: DuckDBConnection) => { seen.push(String((await all(c, 'select n, s from z_c'))[0].s)); } },
      ];
      await buildModels(conn, models, { asOf: '2026-02-03', workers: [second], after, onProgress });
      expect(seen).toEqual([String(200000 * 200001 / 2)]);
      expect(tester.reads(models.find((m) => m.name === 'z_bad')!)).toEqual(['z_bad']);
      // each task's first event comes after its model started building
      expect(events.indexOf('tests:z_c')).toBeGreaterThan(events.indexOf('models:z_c'));
      expect(events.indexOf('models:sum')).toBeGreaterThan(events.indexOf('models:z_c'));
      const err = (() => { try { tester.finish(); } catch (e) { return e; } })();
      expect(err).toBeInstanceOf(ModelTestError);
      expect((err as ModelTestError).failures.map((f) => `${f.model}.${f.column} ${f.test} ${f.failing}`)).toEqual(['z_bad.v not_null 1', 'z_bad.k unique 2']);
    } finally {
      second.closeSync();
    }
  });

  it('with after-tasks, runs a task that reads a temp model on the first connection (the one that holds it)', async () => {
    // once z_t is built the first connection takes z_u, so the idle second one would take the task if it could
    const dir = sqlDir({
      'intermediate/z_t.sql': '-- materialized: temp\nselect range as k from range(10)',
      'intermediate/z_u.sql': 'select count(*)::int as n from z_t, range(2000000)',
    });
    const second = await db.connect();
    try {
      const counts: number[] = [];
      const after = [{ name: 'count', reads: ['z_t'], run: async (c: DuckDBConnection) => {
        counts.push(Number((await all<{ n: number }>(c, 'select count(*)::int as n from z_t'))[0].n));
      } }];
      await buildModels(conn, discoverModels(dir), { asOf: '2026-02-03', workers: [second], after });
      expect(counts).toEqual([10]);
    } finally {
      second.closeSync();
    }
  });

  it('with after-tasks, a task that throws fails the build with its error', async () => {
    const dir = sqlDir({ 'intermediate/t_a.sql': 'select 1 as k', 'marts/t_b.sql': 'select k from t_a' });
    const err = await buildModels(conn, discoverModels(dir), {
      asOf: '2026-02-03', after: [{ name: 'boom', reads: ['t_a'], run: async () => { throw new Error('task failed'); } }],
    }).catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toBe('task failed');
  });

  it('stores `-- enum:` columns as ENUMs of their sorted distinct values, keeps the rows and their order, leaves no type behind', async () => {
    // 300k rows: several row groups, read by more than one thread, so a copy that reordered rows would show.
    const dir = sqlDir({
      'marts/e1.sql': `-- enum: dept, band\nselect i as k, ['Ops', 'Eng', null, 'Sales'][i % 4 + 1] as dept,
        case when i % 7 = 0 then 'high' else 'low' end as band, 'x' || i as other, $as_of::date as d
        from range(300000) t(i) order by i desc`,
      'marts/e2.sql': "-- enum: dept\nselect 'Eng' as dept where false",
    });
    await runModels(conn, { asOf: '2026-02-03', sqlDir: dir });
    expect(await all(conn, `select column_name as c, data_type as t from information_schema.columns where table_name = 'e1' order by ordinal_position`)).toEqual([
      { c: 'k', t: 'BIGINT' }, { c: 'dept', t: "ENUM('Eng', 'Ops', 'Sales')" }, { c: 'band', t: "ENUM('high', 'low')" },
      { c: 'other', t: 'VARCHAR' }, { c: 'd', t: 'DATE' },
    ]);
    const [check] = await all<{ n: number; out_of_order: number; wrong: number; d: string }>(conn, `
      select count(*)::int as n,
             count(*) filter (where k <> 299999 - rn)::int as out_of_order,
             count(*) filter (where dept::varchar is distinct from ['Ops', 'Eng', null, 'Sales'][k % 4 + 1]
                              or band::varchar <> case when k % 7 = 0 then 'high' else 'low' end)::int as wrong,
             strftime(min(d), '%Y-%m-%d') as d
      from (select *, row_number() over () - 1 as rn from e1)`);
    expect(check).toEqual({ n: 300000, out_of_order: 0, wrong: 0, d: '2026-02-03' });
    expect(await all(conn, "select count(*)::int as n from e2")).toEqual([{ n: 0 }]);
    // a column with no value stays text: DuckDB cannot sort by an ENUM of no values
    expect(await all(conn, "select data_type as t from information_schema.columns where table_name = 'e2'")).toEqual([{ t: 'VARCHAR' }]);
    expect(await all(conn, 'select dept from e2 order by dept')).toEqual([]);
    expect(await all(conn, `select count(*)::int as n from duckdb_types() where type_name like '\\_enum\\_%' escape '\\'`)).toEqual([{ n: 0 }]);
    expect(await all(conn, `select count(*)::int as n from duckdb_tables() where table_name like '\\_build\\_%' escape '\\'`)).toEqual([{ n: 0 }]);
    // A rebuild inside a transaction that rolls back leaves the last committed table as it was.
    await exec(conn, 'begin transaction');
    await runModels(conn, { asOf: '2026-02-04', sqlDir: sqlDir({ 'marts/e1.sql': "-- enum: dept\nselect 'Other' as dept" }) });
    await exec(conn, 'rollback');
    expect(await all(conn, "select count(*)::int as n, strftime(min(d), '%Y-%m-%d') as d from e1")).toEqual([{ n: 300000, d: '2026-02-03' }]);
  });
});

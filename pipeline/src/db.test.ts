// openDb's instance settings, on a real database file: text is never stored FSST-compressed (db.ts
// INSTANCE_SETTINGS), whichever connection writes it, and the values read back the same; a checkpoint never
// merges a table's row groups; DuckDB's memory limit is the configured one, else half the machine's memory, at
// most 8 GiB.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { all, defaultMemoryLimitMb, exec, openDb } from './db.ts';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-db-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

it('stores text columns without FSST compression and reads every value back', async () => {
  const db = await openDb(path.join(tmp, 'settings.duckdb'), { notice: () => {} });
  try {
    const conn = await db.connect();
    // unique ids with a long shared tail: exactly what DuckDB stores as FSST by default
    await exec(conn, `create table ids as select 'E' || lpad(i::varchar, 7, '0') || '-engineering-platform' as id from range(200000) r(i)`);
    await exec(conn, 'checkpoint');
    const kinds = await all<{ compression: string }>(conn,
      `select distinct compression from pragma_storage_info('ids') where column_name = 'id' and segment_type = 'VARCHAR'`);
    expect(kinds.length).toBeGreaterThan(0);
    expect(kinds.map((k) => k.compression)).not.toContain('FSST');
    const [check] = await all<{ n: number; last: string }>(conn, `select count(distinct id)::int as n, max(id) as last from ids`);
    expect(check).toEqual({ n: 200000, last: 'E0199999-engineering-platform' });
    conn.closeSync();
  } finally {
    db.close();
  }
});

it('leaves a table\'s short row groups as they are at a checkpoint (no rewrite to merge them)', async () => {
  const db = await openDb(path.join(tmp, 'vacuum.duckdb'), { notice: () => {} });
  try {
    const conn = await db.connect();
    // Parquet row groups a little over DuckDB's 122,880 rows: read in file order by more than one thread, each
    // leaves a short one behind it
    await exec(conn, 'set global threads = 2');
    const pq = path.join(tmp, 'groups.parquet');
    await exec(conn, `copy (select i, 'E' || i as id from range(${8 * 123000}) r(i)) to '${pq}' (format parquet, row_group_size 123000)`);
    await exec(conn, `create table t as select * from read_parquet('${pq}')`);
    const groups = async () => (await all<{ n: number; short: number }>(conn, `select count(*)::int as n, count(*) filter (where c < 122880)::int as short
      from (select row_group_id, max(count) as c from pragma_storage_info('t') where column_id = 0 group by row_group_id)`))[0];
    const before = await groups();
    expect(before.short).toBeGreaterThan(2);
    for (let i = 0; i < 2; i++) {
      await exec(conn, `create or replace table other as select ${i} as x`); // something for the checkpoint to write
      await exec(conn, 'checkpoint');
    }
    expect(await groups()).toEqual(before);
    const [sum] = await all<{ n: number; total: number }>(conn, `select count(*)::int as n, sum(i)::double as total from t`);
    expect(sum).toEqual({ n: 8 * 123000, total: (8 * 123000 - 1) * 8 * 123000 / 2 });
    conn.closeSync();
  } finally {
    db.close();
  }
});

/** DuckDB's own words for a memory limit of `mb` MiB (e.g. "8.0 GiB"), from an instance given that limit. */
async function limitText(mb: number): Promise<string> {
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  await exec(conn, `set global memory_limit = '${mb}MiB'`);
  const [row] = await all<{ m: string }>(conn, `select current_setting('memory_limit') as m`);
  conn.closeSync();
  instance.closeSync();
  return row.m;
}

async function memoryLimitOf(file: string, memoryLimitMb?: number): Promise<string> {
  const db = await openDb(path.join(tmp, file), { notice: () => {}, memoryLimitMb });
  try {
    const conn = await db.connect();
    const [row] = await all<{ m: string }>(conn, `select current_setting('memory_limit') as m`);
    conn.closeSync();
    return row.m;
  } finally {
    db.close();
  }
}

it('gives DuckDB half the machine\'s memory, at most 8 GiB, unless the config sets a limit', async () => {
  expect(defaultMemoryLimitMb(64 * 2 ** 30)).toBe(8192);
  expect(defaultMemoryLimitMb(16 * 2 ** 30)).toBe(8192);
  expect(defaultMemoryLimitMb(6 * 2 ** 30)).toBe(3072);
  expect(await memoryLimitOf('default.duckdb')).toBe(await limitText(defaultMemoryLimitMb()));
  expect(await memoryLimitOf('configured.duckdb', 768)).toBe('768.0 MiB');
});

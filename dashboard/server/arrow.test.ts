// Arrow built from DuckDB's chunk buffers decodes to the same values as the JSON path (rows.ts plain
// values), for every type with a direct path, over several chunks (5000 rows > 2048 per chunk), with
// nulls at odd positions, inline (≤ 12 bytes) and heap strings, multi-byte UTF-8 and empty strings.
// Text with few distinct values comes as Dictionary<Int8|Int16|Int32, Utf8> (same decoded values, also
// through the dashboard's own reader, dashboard/src/lib/arrow-rows.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableFromIPC, type Table } from 'apache-arrow';
import type { DuckDBConnection } from '@duckdb/node-api';
import { openDb, type Db } from '../../pipeline/src/db.ts';
import { arrowRows } from '../src/lib/arrow-rows.ts';
import { toArrowIPC, toArrowTable } from './arrow.ts';
import { WARM_SQL, warmArrowEncoder } from './arrow-warm.ts';
import { readColumns, toRows } from './rows.ts';

let dir: string;
let db: Db;
let conn: DuckDBConnection;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-arrow-'));
  db = await openDb(path.join(dir, 'arrow.duckdb'));
  conn = await db.connect();
});
afterAll(() => {
  conn?.closeSync();
  db?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A decoded Arrow value as JSON carries it (64-bit integers as numbers, lists as arrays). */
function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (v && typeof v === 'object' && 'toArray' in v) return Array.from(v as unknown as Iterable<unknown>, plain);
  return v ?? null;
}

/** Column values as the JSON answer would carry them, decoded from the Arrow IPC bytes. */
function decoded(table: Table): Record<string, unknown>[] {
  return table.toArray().map((r) => r.toJSON() as Record<string, unknown>)
    .map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, plain(v)])));
}

const N = 5000;
// Nulls every 7th row (row 0 too) so chunk boundaries (2048) fall at non-multiples of 8 of the pattern.
const nullable = (expr: string) => `case when i % 7 = 0 then null else ${expr} end`;

const CASES: [string, string, string][] = [
  // name, DuckDB expression over i in range(N), expected Arrow type
  ['short text', nullable(`'e' || i`), 'Utf8'],
  ['heap text', nullable(`'employee number ' || i || ' of the org'`), 'Utf8'],
  ['mixed text', nullable(`case when i % 3 = 0 then 'ok' when i % 3 = 1 then repeat('x', (i % 40)::int) || 'é漢' else '' end`), 'Dictionary<Int8, Utf8>'],
  ['few heap values (department)', nullable(`'Department of ' || (i % 11)`), 'Dictionary<Int8, Utf8>'],
  ['few inline values, no nulls', `['high', 'medium', 'low'][i % 3 + 1]`, 'Dictionary<Int8, Utf8>'],
  ['a thousand values (manager names)', nullable(`'Manager number ' || (i * 7919 % 1000)`), 'Dictionary<Int16, Utf8>'],
  ['half distinct: still a dictionary', `'v' || (i % ${N / 2})`, 'Dictionary<Int16, Utf8>'],
  ['more than half distinct', `'v' || (i % ${N / 2 + 1})`, 'Utf8'],
  ['distinct at first, then repeats', `if(i < 2400, 'u' || i, 'same')`, 'Dictionary<Int16, Utf8>'],
  ['long values, few', nullable(`repeat('long reason text ', (i % 5)::int + 1) || (i % 3)`), 'Dictionary<Int8, Utf8>'],
  ['long and short values mixed, some equal prefixes', nullable(`if(i % 4 = 0, 'abcd', 'abcd' || repeat('e', (i % 23)::int))`), 'Dictionary<Int8, Utf8>'],
  ['one value and nulls', nullable(`'only'`), 'Dictionary<Int8, Utf8>'],
  ['boolean', nullable(`i % 3 = 0`), 'Bool'],
  ['integer', nullable(`(i * 37 - 90000)::int`), 'Int32'],
  ['smallint', nullable(`(i % 30000 - 15000)::smallint`), 'Int32'],
  ['tinyint', nullable(`(i % 200 - 100)::tinyint`), 'Int32'],
  ['utinyint', nullable(`(i % 250)::utinyint`), 'Int32'],
  ['bigint', nullable(`i::bigint * 1000000007 - 3`), 'Float64'],
  ['uinteger', nullable(`(i * 800000)::uinteger`), 'Float64'],
  ['double', nullable(`i / 7.0::double`), 'Float64'],
  ['float', nullable(`(i / 3.0)::float`), 'Float64'],
  ['decimal(4,1)', nullable(`(i % 999 / 10.0)::decimal(4,1)`), 'Float64'],
  ['decimal(9,2)', nullable(`(i * 1.25)::decimal(9,2)`), 'Float64'],
  ['decimal(18,3)', nullable(`(i * 1000003.125)::decimal(18,3)`), 'Float64'],
  ['decimal(38,2)', nullable(`(i * 1.5)::decimal(38,2)`), 'Float64'],
  ['hugeint', nullable(`i::hugeint * 12345`), 'Float64'],
  ['date', nullable(`date '2020-01-01' + (i % 900)::int`), 'Dictionary<Int16, Utf8>'],
  ['unique dates', nullable(`date '2000-01-01' + i::int`), 'Utf8'],
  ['timestamp', nullable(`timestamp '2024-03-01 10:00:00' + to_seconds(i)`), 'Utf8'],
  ['list of int', nullable(`[i::int, i::int + 1]`), 'List<Int32>'],
  ['enum', nullable(`(['high', 'medium', 'low'][i % 3 + 1])::ENUM('high', 'medium', 'low')`), 'Dictionary<Int8, Utf8>'],
  ['enum of 300 values', nullable(`('v' || (i % 300))::ENUM(${Array.from({ length: 300 }, (_, k) => `'v${k}'`).join(', ')})`), 'Dictionary<Int16, Utf8>'],
  ['all null text', `null::varchar`, 'Utf8'],
];

describe('Arrow from DuckDB chunks = the JSON values', () => {
  it.each(CASES)('%s', async (_name, expr, arrowType) => {
    const read = await readColumns(conn, `select i::int as id, ${expr} as v from range(${N}) t(i) order by i`);
    expect(read.rowCount).toBe(N);
    expect(read.chunks!.length).toBeGreaterThan(1);
    const table = tableFromIPC(toArrowIPC(read));
    expect(String(table.schema.fields[1].type)).toBe(arrowType);
    expect(table.numRows).toBe(N);
    const json = toRows(read);
    expect(decoded(table)).toEqual(json);
    if (!arrowType.startsWith('List')) expect(arrowRows(table)).toEqual(json); // the dashboard reads no list columns
    // And the nulls really are there (typed arrays would have turned them into 0 / false / '').
    if (expr.startsWith('case')) expect(decoded(table).filter((r) => r.v === null).length).toBe(Math.ceil(N / 7));
  });

  it('more than 32767 distinct values: Int32 indices', async () => {
    const read = await readColumns(conn, `select i::int as id, 'member ' || (i // 2 % 33000) as v from range(70000) t(i) order by i`);
    const table = tableFromIPC(toArrowIPC(read));
    expect(String(table.schema.fields[1].type)).toBe('Dictionary<Int32, Utf8>');
    expect(table.getChild('v')!.data[0].dictionary!.length).toBe(33000);
    expect(arrowRows(table)).toEqual(toRows(read));
  });

  it('a dictionary holds each distinct value once and is smaller on the wire', async () => {
    const sql = `select 'Department of ' || (i % 11) as v from range(${N}) t(i)`;
    const read = await readColumns(conn, sql);
    const table = tableFromIPC(toArrowIPC(read));
    const dict = table.getChild('v')!.data[0].dictionary!;
    expect([...dict].sort()).toEqual(Array.from({ length: 11 }, (_, k) => `Department of ${k}`).sort());
    // The same values made unique per row (one extra char) cannot be a dictionary: several times the bytes.
    const unique = await readColumns(conn, `select 'Department of ' || (i % 11) || '/' || i as v from range(${N}) t(i)`);
    expect(toArrowIPC(unique).byteLength).toBeGreaterThan(4 * toArrowIPC(read).byteLength);
  });

  it('a column of nearly all distinct values after the first 4096 rows stays plain Utf8 (ids)', async () => {
    const read = await readColumns(conn, `select if(i < 5000, 'id-' || i, 'same') as v from range(18000) t(i) order by i`);
    const table = tableFromIPC(toArrowIPC(read));
    expect(String(table.schema.fields[0].type)).toBe('Utf8');
    expect(arrowRows(table)).toEqual(toRows(read));
  });

  it('indices under nulls are in range (the codes buffer is reused from column to column)', async () => {
    const read = await readColumns(conn, `select 'many ' || (i % 1000) as a, case when i % 5 = 0 then null else 'few ' || (i % 3) end as b,
      case when i % 5 = 0 then null else (date '2024-01-01' + (i % 3)::int) end as c from range(${N}) t(i)`);
    const table = tableFromIPC(toArrowIPC(read));
    for (const name of ['b', 'c']) {
      const data = table.getChild(name)!.data[0];
      expect(String(data.type)).toBe('Dictionary<Int8, Utf8>');
      expect(Math.max(...data.values)).toBeLessThan(data.dictionary!.length);
      expect(data.nullCount).toBe(N / 5);
    }
    expect(arrowRows(table)).toEqual(toRows(read));
  });

  it("the warm-up's synthetic result (arrow-warm.ts) encodes to its JSON values", async () => {
    await warmArrowEncoder(conn);
    const read = await readColumns(conn, WARM_SQL);
    const table = tableFromIPC(toArrowIPC(read));
    expect(table.schema.fields.map((f) => String(f.type))).toEqual(['Utf8', 'Utf8', 'Dictionary<Int8, Utf8>', 'Dictionary<Int8, Utf8>',
      'Dictionary<Int16, Utf8>', 'Bool', 'Int32', 'Float64', 'Float64', 'Dictionary<Int16, Utf8>', 'Dictionary<Int8, Utf8>']);
    expect(arrowRows(table)).toEqual(toRows(read));
  });

  it("an ENUM column's dictionary holds only the values rows use, in the type's order (a scoped answer carries no others)", async () => {
    const read = await readColumns(conn, `select case when i % 5 = 0 then null else (['low', 'high'][i % 2 + 1]) end::ENUM('high', 'medium', 'low', 'unused') as v from range(${N}) t(i)`);
    const table = tableFromIPC(toArrowIPC(read));
    expect([...table.getChild('v')!.data[0].dictionary!]).toEqual(['high', 'low']);
    expect(arrowRows(table)).toEqual(toRows(read));
    expect(toRows(read).slice(0, 3)).toEqual([{ v: null }, { v: 'high' }, { v: 'low' }]);
  });

  it('no rows: typed, empty columns', async () => {
    const read = await readColumns(conn, `select 1::int as a, 'x' as b, true as c where false`);
    const table = tableFromIPC(toArrowIPC(read));
    expect(table.numRows).toBe(0);
    expect(table.schema.fields.map((f) => String(f.type))).toEqual(['Int32', 'Utf8', 'Bool']);
  });

  it('a result with plain values only (no chunks) still builds the same table', async () => {
    const read = await readColumns(conn, `select i::int as id, ${CASES[2][1]} as v, i % 2 = 0 as b from range(3000) t(i) order by i`);
    const plain = { columns: read.columns, data: read.data, rowCount: read.rowCount };
    expect(decoded(toArrowTable(plain))).toEqual(decoded(toArrowTable(read)));
  });
});

// Arrow built from DuckDB's chunk buffers decodes to the same values as the JSON path (rows.ts plain
// values), for every type with a direct path, over several chunks (5000 rows > 2048 per chunk), with
// nulls at odd positions, inline (≤ 12 bytes) and heap strings, multi-byte UTF-8 and empty strings.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableFromIPC, type Table } from 'apache-arrow';
import type { DuckDBConnection } from '@duckdb/node-api';
import { openDb, type Db } from '../../pipeline/src/db.ts';
import { toArrowIPC, toArrowTable } from './arrow.ts';
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
  ['mixed text', nullable(`case when i % 3 = 0 then 'ok' when i % 3 = 1 then repeat('x', (i % 40)::int) || 'é漢' else '' end`), 'Utf8'],
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
  ['date', nullable(`date '2020-01-01' + (i % 900)::int`), 'Utf8'],
  ['timestamp', nullable(`timestamp '2024-03-01 10:00:00' + to_seconds(i)`), 'Utf8'],
  ['list of int', nullable(`[i::int, i::int + 1]`), 'List<Int32>'],
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
    // And the nulls really are there (typed arrays would have turned them into 0 / false / '').
    if (expr.startsWith('case')) expect(decoded(table).filter((r) => r.v === null).length).toBe(Math.ceil(N / 7));
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

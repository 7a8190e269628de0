// Every mart exports (what `trellis export <mart>` writes) as CSV and as Parquet, and the file read
// back holds the mart's rows: same count, same columns, same values.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { all, ident, literal } from '../pipeline/src/db.ts';
import { exportTable } from '../pipeline/src/export.ts';
import { BACKTEST_MARTS } from '../pipeline/src/backtest/marts.ts';
import { ORGS_DIR, buildOrg, type Built } from './tests/harness.ts';

// the marts, the history tables (sql/history) and the risk backtest's marts (pipeline/src/backtest)
const MARTS = [...['marts', 'history'].flatMap((dir) => fs.readdirSync(path.join(import.meta.dirname, dir))
  .filter((f) => f.endsWith('.yml')).map((f) => f.replace(/\.yml$/, ''))), ...BACKTEST_MARTS].sort();

let built: Built;
let out: string;
beforeAll(async () => {
  built = await buildOrg(path.join(ORGS_DIR, 'succession'), '2026-03-31');
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'trellis-export-'));
});
afterAll(() => built?.db.close());

describe.each(MARTS)('mart %s', (mart) => {
  it.each(['csv', 'parquet'] as const)('exports as %s with all its rows and values', async (format) => {
    const { conn } = built;
    const file = path.join(out, `${mart}.${format}`);
    const { rows } = await exportTable(conn, mart, format, file);
    const [{ n }] = await all<{ n: number }>(conn, `select count(*)::int as n from ${ident(mart)}`);
    expect(rows).toBe(n);
    const reader = format === 'csv'
      ? `read_csv(${literal(file)}, header = true, all_varchar = true)`
      : `read_parquet(${literal(file)})`;
    // Compare as text (lists, numbers and dates print alike in both): what is in one and not the other differs.
    const cols = (await all<{ column_name: string }>(conn,
      `select column_name from information_schema.columns where table_name = $t order by ordinal_position`, { t: mart }))
      .map((c) => c.column_name);
    const asText = cols.map((c) => `cast(${ident(c)} as varchar) as ${ident(c)}`).join(', ');
    const diff = await all(conn, `
      (select ${asText} from ${ident(mart)} except all select ${asText} from ${reader})
      union all
      (select ${asText} from ${reader} except all select ${asText} from ${ident(mart)})`);
    expect(diff).toEqual([]);
  });
});

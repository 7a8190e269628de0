import fs from 'node:fs';
import { all, exec, openDb } from '../pipeline/src/db.ts';
const db = await openDb(process.env.DB ?? '/work/scratch/b100/t.duckdb');
const conn = await db.connect();
if (process.env.SETUP) await exec(conn, process.env.SETUP);
const sql = fs.readFileSync(process.argv[2], 'utf8').replace(/\$as_of::date/g, "date '2026-06-30'").replace(/\$as_of/g, "'2026-06-30'");
const copies = process.argv.slice(3);
for (let i = 0; i < 2; i++) {
  await exec(conn, 'begin');
  let t = performance.now();
  for (const c of copies) await exec(conn, `create or replace table ${c} as select * from ${c}`);
  console.log('copies', (performance.now() - t).toFixed(0));
  t = performance.now();
  await exec(conn, `create or replace table _x as ${sql}`);
  console.log(process.argv[2], i, (performance.now() - t).toFixed(0), 'ms');
  await exec(conn, 'rollback');
}

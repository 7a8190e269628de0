// Diagnostic: do two Trellis databases hold the same rows in every model table? For performance work,
// where a change to a mart's numbers would be a change to the spec: run the same org through the old and
// the new code, then
//   node pipeline/bin/run-ts.js bench/compare-dbs.ts OLD.duckdb NEW.duckdb [--round 9] [--only a,b]
// Every table and view of `main` in OLD is compared with the same table in NEW, row multisets both ways (EXCEPT ALL)
// over the columns they share; `--round N` compares DOUBLE columns rounded to N places (a different
// summation order moves the last bits). Run bookkeeping that differs between any two runs (ids, times)
// is skipped. Exits 1 when any table differs or is missing.
import { DuckDBInstance } from '@duckdb/node-api';
import { parseArgs } from 'node:util';
import { all, ident, literal } from '../pipeline/src/db.ts';

const SKIP = new Set(['runs', 'run_files', 'loaded_files', 'rejects', 'audit_log', 'sessions', 'users', 'model_state',
  'schema_migrations', 'sso_identities', 'run_notes', 'model_timings']);

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true,
    options: { round: { type: 'string' }, only: { type: 'string' } } });
  if (positionals.length !== 2) {
    process.stderr.write('usage: compare-dbs.ts OLD.duckdb NEW.duckdb [--round N] [--only t1,t2]\n');
    return 2;
  }
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  await conn.run(`attach ${literal(positionals[0])} as a (read_only)`);
  await conn.run(`attach ${literal(positionals[1])} as b (read_only)`);
  const only = values.only ? new Set(values.only.split(',')) : undefined;
  const digits = values.round === undefined ? undefined : Number(values.round);
  const tables = await all<{ t: string }>(conn,
    `select table_name as t from duckdb_tables() where database_name = 'a' and schema_name = 'main'
     union select view_name from duckdb_views() where database_name = 'a' and schema_name = 'main' and not internal order by 1`);
  let bad = 0;
  for (const { t } of tables) {
    if (SKIP.has(t) || t.startsWith('_') || (only && !only.has(t))) continue;
    const cols = await all<{ c: string; ty: string; inB: boolean }>(conn,
      `select ca.column_name as c, ca.data_type as ty, cb.column_name is not null as "inB"
         from duckdb_columns() ca left join duckdb_columns() cb
           on cb.database_name = 'b' and cb.schema_name = 'main' and cb.table_name = ca.table_name and cb.column_name = ca.column_name
        where ca.database_name = 'a' and ca.schema_name = 'main' and ca.table_name = ? order by ca.column_index`, [t]);
    const exists = await all(conn, `select 1 from duckdb_tables() where database_name = 'b' and schema_name = 'main' and table_name = ?
      union all select 1 from duckdb_views() where database_name = 'b' and schema_name = 'main' and view_name = ?`, [t, t]);
    if (!exists.length) { process.stdout.write(`MISSING ${t}\n`); bad++; continue; }
    const shared = cols.filter((c) => c.inB);
    const missing = cols.filter((c) => !c.inB).map((c) => c.c);
    // ENUM and VARCHAR compare as text, so a column stored as ENUM on one side still matches
    const expr = shared.map((c) => (digits !== undefined && /DOUBLE|FLOAT/.test(c.ty))
      ? `round(${ident(c.c)}, ${digits}) as ${ident(c.c)}` : `${ident(c.c)}::varchar as ${ident(c.c)}`).join(', ');
    const q = (x: string, y: string) => `select count(*)::bigint as n from (select ${expr} from ${x}.main.${ident(t)} except all select ${expr} from ${y}.main.${ident(t)})`;
    const [ab] = await all<{ n: bigint }>(conn, q('a', 'b'));
    const [ba] = await all<{ n: bigint }>(conn, q('b', 'a'));
    const [na] = await all<{ n: bigint }>(conn, `select count(*)::bigint as n from a.main.${ident(t)}`);
    const same = ab.n === 0n && ba.n === 0n && !missing.length;
    if (!same) bad++;
    process.stdout.write(`${same ? 'same   ' : 'DIFFERS'} ${t} (${na.n} rows)${same ? '' : `: ${ab.n} only in old, ${ba.n} only in new`}${missing.length ? `; columns not in new: ${missing.join(', ')}` : ''}\n`);
  }
  conn.closeSync();
  return bad ? 1 : 0;
}

main(process.argv.slice(2)).then((code) => process.exit(code), (err) => { console.error(err); process.exit(1); });

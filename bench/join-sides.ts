// Which hash joins of the models build their hash table on the bigger side when run the way a pipeline
// run builds them: inside one transaction. DuckDB (1.5) estimates the rows of a table created in the
// open transaction as 0, so it cannot pick the build side and keeps the written order: the right side
// of a join (the joined table, the subquery of EXISTS / IN) is built. A big right side costs seconds.
//   npx tsx bench/join-sides.ts <loaded.duckdb> [--min-rows 50000] [--as-of 2026-06-30]
// Builds every model inside a transaction (rolled back at the end: the file is left as it was) and
// prints, per model, the joins whose build side has more rows than their probe side.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DuckDBConnection } from '@duckdb/node-api';
import { all, exec, openDb } from '../pipeline/src/db.ts';
import { buildModels } from '../pipeline/src/model-build.ts';
import { discoverModels, orderModels } from '../pipeline/src/models.ts';

interface PlanNode { operator_name?: string; operator_type?: string; extra_info?: Record<string, unknown>; operator_cardinality?: number; children?: PlanNode[] }

export interface BadJoin { model: string; join: string; probeRows: number; buildRows: number; ms: number }

function walk(node: PlanNode, out: { join: string; probe: number; build: number }[]): void {
  const name = (node.operator_name ?? node.operator_type ?? '').trim();
  if (/JOIN/.test(name) && node.children?.length === 2) {
    const [probe, build] = node.children;
    const info = node.extra_info ?? {};
    out.push({ join: `${name} ${String(info['Join Type'] ?? '')} on ${JSON.stringify(info.Conditions ?? '')}`.slice(0, 160),
      probe: probe.operator_cardinality ?? 0, build: build.operator_cardinality ?? 0 });
  }
  for (const c of node.children ?? []) walk(c, out);
}

/** Build every model in an open transaction on `conn`, measuring each model's joins. Rolls back. */
export async function joinSides(conn: DuckDBConnection, asOf: string, minRows = 50_000): Promise<BadJoin[]> {
  const bad: BadJoin[] = [];
  await exec(conn, 'begin transaction');
  try {
    for (const m of orderModels(discoverModels())) {
      const params = /\$as_of\b/i.test(m.sql) ? { as_of: asOf } : undefined;
      const t = performance.now();
      const rows = await all(conn, `explain (analyze, format json) ${m.sql}`, params);
      const ms = Math.round(performance.now() - t);
      const text = String(Object.values(rows[0]).at(-1));
      const joins: { join: string; probe: number; build: number }[] = [];
      for (const root of ([] as PlanNode[]).concat(JSON.parse(text) as PlanNode | PlanNode[])) walk(root, joins);
      for (const j of joins) {
        if (j.build > j.probe && j.build >= minRows) bad.push({ model: m.name, join: j.join, probeRows: j.probe, buildRows: j.build, ms });
      }
      await buildModels(conn, [m], { asOf }); // as a run keeps it: staging as views
    }
  } finally {
    await exec(conn, 'rollback');
  }
  return bad;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const argv = process.argv.slice(2);
  const arg = (name: string, dflt: string) => { const i = argv.indexOf(`--${name}`); return i >= 0 ? argv[i + 1] : dflt; };
  if (!argv[0] || argv[0].startsWith('--')) {
    process.stderr.write('usage: npx tsx bench/join-sides.ts <loaded.duckdb> [--min-rows 50000] [--as-of 2026-06-30]\n');
    process.exit(2);
  }
  const db = await openDb(argv[0]);
  const conn = await db.connect();
  const bad = await joinSides(conn, arg('as-of', '2026-06-30'), Number(arg('min-rows', '50000')));
  for (const b of bad) {
    process.stdout.write(`${b.model.padEnd(30)} build ${String(b.buildRows).padStart(9)} > probe ${String(b.probeRows).padStart(9)}  (${b.ms} ms)  ${b.join}\n`);
  }
  if (!bad.length) process.stdout.write('no join builds on its bigger side\n');
  conn.closeSync();
  db.close();
}

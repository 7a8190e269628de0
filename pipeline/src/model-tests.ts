// The model tests: each test a mart's .yml declares (models.ts parses the specs) as a query counting the
// rows that fail it. A model's tests run once the tables they read are built (a run starts them beside the
// models still building, model-build.ts); every failure is reported at once (ModelTestError).
import type { DuckDBConnection } from '@duckdb/node-api';
import { ident, one } from './db.ts';
import type { ModelRunOptions } from './model-build.ts';
import { ModelDefinitionError, orderModels, tableRefs, type Model, type ModelSpec } from './models.ts';

export interface TestFailure {
  model: string;
  column: string | null;
  test: string;
  failing: number;
}

/** One or more model tests found failing rows. */
export class ModelTestError extends Error {
  constructor(readonly failures: TestFailure[]) {
    super(`model tests failed: ${failures
      .map((f) => `${f.model}${f.column ? `.${f.column}` : ''} ${f.test} (${f.failing} failing row${f.failing === 1 ? '' : 's'})`)
      .join('; ')}`);
    this.name = 'ModelTestError';
  }
}

interface TestQuery {
  model: string; column: string | null; test: string; sql: string; params?: Record<string, string>;
  /** For row-wise tests: the condition a failing row meets, so one scan of the model can count many tests. */
  failing?: string;
  /** A cheaper query run first: when it returns 0, so does `sql` (which then does not run). */
  screen?: string;
}

/** Each test of a model as one query returning `n`, the number of failing rows. */
export function testQueries(model: string, spec: ModelSpec): TestQuery[] {
  const t = ident(model);
  const filter = (where?: string) => (where ? ` and (${where})` : '');
  const out: TestQuery[] = [];
  // rows whose key repeats: the rows of each key group of more than one row. First screened by the keys'
  // 64-bit hashes, sorted, each compared with the one before (one fixed-width column to sort; grouping the
  // key columns themselves, by a window or a hash aggregate, costs ~2-3x at 100k employees): equal keys
  // have equal hashes, so no repeated hash means no repeated key, and the exact count runs only when some
  // hash repeats (a repeated key, or a collision that the exact count then rules out)
  const uniqueQuery = (cols: string[], where?: string) => {
    const keys = cols.map(ident).join(', ');
    return {
      screen: `select count(*) filter (where h = p)::int as n from (select h, lag(h) over (order by h) as p `
        + `from (select hash(${keys}) as h from ${t} where true${filter(where)}))`,
      sql: `select coalesce(sum(c), 0)::int as n from (select count(*) as c from ${t} where true${filter(where)} group by ${keys} having count(*) > 1)`,
    };
  };
  if (spec.unique) out.push({ model, column: spec.unique.join(', '), test: 'unique', ...uniqueQuery(spec.unique) });
  for (const col of spec.columns) {
    const c = ident(col.name);
    for (const test of col.tests) {
      switch (test.kind) {
        case 'not_null':
          out.push({ model, column: col.name, test: 'not_null', sql: `select count(*)::int as n from ${t} where ${c} is null${filter(test.where)}`,
            failing: `${c} is null${filter(test.where)}` });
          break;
        case 'unique':
          out.push({ model, column: col.name, test: 'unique', ...uniqueQuery([col.name], test.where ? `${c} is not null and (${test.where})` : `${c} is not null`) });
          break;
        case 'relationships':
          // an explicit anti join with the referenced keys on the joined side: inside the run's transaction
          // DuckDB sees no table sizes and builds its hash table on the joined side (bench/join-sides.ts)
          out.push({
            model, column: col.name, test: `relationships to ${test.to}.${test.field}`,
            sql: `select count(*)::int as n from (select ${c} as k from ${t} where ${c} is not null${filter(test.where)}) as m `
              + `anti join ${ident(test.to)} as r on r.${ident(test.field)} = m.k`,
          });
          break;
        case 'accepted_values': {
          const params: Record<string, string> = {};
          test.values.forEach((v, i) => { params[`v${i}`] = String(v); });
          out.push({
            model, column: col.name, test: `accepted_values [${test.values.join(', ')}]`,
            sql: `select count(*)::int as n from ${t} where ${c} is not null${filter(test.where)} `
              + `and ${c}::varchar not in (${test.values.map((_, i) => `$v${i}`).join(', ')})`,
            params,
            failing: `${c} is not null${filter(test.where)} and ${c}::varchar not in (${test.values.map((_, i) => `$v${i}`).join(', ')})`,
          });
          break;
        }
      }
    }
  }
  for (const e of spec.expressions) {
    out.push({
      model, column: null, test: `expression "${e.expression}"${e.where ? ` where "${e.where}"` : ''}`,
      sql: `select count(*)::int as n from ${t} where not coalesce((${e.expression}), false)${filter(e.where)}`,
      failing: `not coalesce((${e.expression}), false)${filter(e.where)}`,
    });
  }
  return out;
}

/**
 * The tests of `models`, one model at a time (`test`, on any connection in the models' schema, once the tables
 * the model's tests read are built: `reads`), failures kept until `finish` throws them all at once, in model order.
 */
export function modelTester(models: Model[], opts: Pick<ModelRunOptions, 'onProgress'> = {}) {
  const tested = orderModels(models).filter((m) => m.spec);
  const queries = new Map(tested.map((m) => [m.name, testQueries(m.name, m.spec!)]));
  const total = [...queries.values()].reduce((n, q) => n + q.length, 0);
  const failures = new Map<string, TestFailure[]>();
  let done = 0;
  return {
    /** The models with tests, in order. */
    tested,
    /** The tables `model`'s tests read: the model, the targets of its relationships, tables its expressions name. */
    reads: (model: Model): string[] => [...new Set((queries.get(model.name) ?? []).flatMap((q) => tableRefs(`${q.screen ?? ''} ${q.sql}`)))],
    async test(conn: DuckDBConnection, model: Model): Promise<void> {
      const found: TestFailure[] = [];
      const qs = queries.get(model.name) ?? [];
      const where = (q: TestQuery) => `${q.model}${q.column ? `.${q.column}` : ''}`;
      // The row-wise tests (not_null, accepted_values, expressions) count in one scan of the model; should that
      // combined query fail (a bad expression), each runs alone so the error names its test.
      const group = qs.filter((q) => q.failing);
      if (group.length) {
        opts.onProgress?.({ phase: 'tests', model: model.name, done, total, message: `testing ${model.name}: ${group.length} row tests` });
        const params: Record<string, string> = {};
        const counts = group.map((q, i) => {
          let cond = q.failing!;
          for (const [k, v] of Object.entries(q.params ?? {})) {
            params[`t${i}_${k}`] = v;
            cond = cond.replaceAll(new RegExp(`\\$${k}\\b`, 'g'), `$t${i}_${k}`);
          }
          return `count(*) filter (where ${cond})::int as n${i}`;
        });
        let row: Record<string, unknown> | undefined;
        try {
          row = await one(conn, `select ${counts.join(', ')} from ${ident(model.name)}`, Object.keys(params).length ? params : undefined);
        } catch {
          row = undefined;
        }
        for (const [i, q] of group.entries()) {
          const n = row ? Number(row[`n${i}`] ?? 0) : await countFailing(conn, q, where(q));
          if (n > 0) found.push({ model: q.model, column: q.column, test: q.test, failing: n });
        }
        done += group.length;
      }
      for (const q of qs.filter((x) => !x.failing)) {
        opts.onProgress?.({ phase: 'tests', model: q.model, done: done++, total, message: `testing ${where(q)} ${q.test}` });
        const n = await countFailing(conn, q, where(q));
        if (n > 0) found.push({ model: q.model, column: q.column, test: q.test, failing: n });
      }
      if (found.length) failures.set(model.name, found);
    },
    /** Throws ModelTestError listing every failure found; else the number of tests. */
    finish(): number {
      const all = tested.flatMap((m) => failures.get(m.name) ?? []);
      if (all.length) throw new ModelTestError(all);
      return total;
    },
  };
}

/** Run every .yml test on `conn`; throws ModelTestError listing all failures. Returns the number of tests run. */
export async function testModels(conn: DuckDBConnection, models: Model[], opts: Pick<ModelRunOptions, 'onProgress'> = {}): Promise<number> {
  const tester = modelTester(models, opts);
  for (const m of tester.tested) await tester.test(conn, m);
  return tester.finish();
}

async function countFailing(conn: DuckDBConnection, q: TestQuery, where: string): Promise<number> {
  const count = async (sql: string) => Number((await one<{ n: number }>(conn, sql, q.params))?.n ?? 0);
  try {
    if (q.screen && await count(q.screen) === 0) return 0;
    return await count(q.sql);
  } catch (err) {
    throw new ModelDefinitionError(`test ${q.test} on ${where} could not run: ${(err as Error).message}`);
  }
}

// Real framework: the O*NET conversion (fixtures/onet) with a generated workforce on it, through the real
// pipeline. Asserts structural facts and prints the distributions of path states, risk bands and readiness.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { all, type Db } from '../pipeline/src/db.ts';
import { runPipeline, type RunSummary } from '../pipeline/src/run.ts';
import { convertOnet } from '../fixtures/onet/convert.ts';
import { generateWorkforce } from '../fixtures/generate.ts';
import { DATASETS_DIR, tempDb } from './tests/harness.ts';

const AS_OF = '2026-06-30';

describe('models on the O*NET framework', () => {
  let db: Db;
  let conn: DuckDBConnection;
  let summary: RunSummary;

  beforeAll(async () => {
    const t = await tempDb('trellis-onet-');
    db = t.db;
    conn = t.conn;
    const framework = path.join(t.dir, 'framework');
    const inbox = path.join(t.dir, 'inbox');
    await convertOnet({ datasetsDir: DATASETS_DIR, out: framework });
    fs.mkdirSync(inbox);
    await generateWorkforce({ framework, employees: 400, seed: 5, asOf: AS_OF, out: inbox });
    summary = await runPipeline(db, { inbox, asOf: AS_OF, trigger: 'cli', clock: () => new Date('2026-07-01T00:00:00Z') });
  });
  afterAll(() => db?.close());

  it('runs and passes every .yml test', () => {
    expect(summary.error).toBeNull();
    expect(summary.status).toBe('succeeded');
  });

  it('gives a default next step to every active employee whose occupation has a promotion edge', async () => {
    const missing = await all(conn, `
      select e.employee_id, e.role_id from int_employees_active e
      where exists (select 1 from stg_role_progressions p where p.from_role_id = e.role_id and p.move = 'promotion')
        and e.employee_id not in (select employee_id from int_default_next_chosen)`);
    expect(missing).toEqual([]);
    const [{ n }] = await all<{ n: number }>(conn, `select count(*)::int as n from career_path_state where default_next_role_id is not null`);
    expect(n).toBeGreaterThan(0);
  });

  it('keeps coverage in bounds and gaps consistent', async () => {
    const bad = await all(conn, `
      select 'coverage' as what, employee_id from role_coverage where coverage < 0 or coverage > 1
      union all
      select 'gap', employee_id from skill_gaps_employee where gap <> greatest(0, required_level - current_level)
      union all
      select 'candidate coverage', employee_id from succession_candidates where coverage < 0 or coverage > 1
      limit 5`);
    expect(bad).toEqual([]);
  });

  it('prints the distributions', async () => {
    const states = await all(conn, 'select path_state, count(*)::int as n from career_path_state group by all order by all');
    const bands = await all(conn, 'select band, count(*)::int as n from retention_risk group by all order by all');
    const readiness = await all(conn, 'select readiness, count(*)::int as n from succession_candidates group by all order by all');
    const summaryRow = await all(conn, 'select * from succession_summary');
    console.log('O*NET framework, 400 employees as of', AS_OF);
    console.table(states);
    console.table(bands);
    console.table(readiness);
    console.table(summaryRow);
    expect(states.length).toBeGreaterThan(0);
    expect(bands.reduce((s, r) => s + Number(r.n), 0)).toBe(states.reduce((s, r) => s + Number(r.n), 0));
  });
});

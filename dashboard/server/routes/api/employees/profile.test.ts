// GET /api/employees/:id and /suggestions each read everything in one statement (profile.ts, suggestions.ts):
// every list of the answer must be exactly the rows its own query reads for that person, in that order — a merge
// that mixed people up, repeated rows (a join fanning out) or lost the order would differ here. On the paths org
// (goals, reviews, check-ins, career plans), loaded through the pipeline, for every employee.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { all, type Db } from '../../../../../pipeline/src/db.ts';
import { ADMIN, orgServer } from '../../../test-org.ts';

let app: FastifyInstance;
let db: Db;
let asOf: string;
beforeAll(async () => ({ app, db, asOf } = await orgServer('paths')), 120_000);
afterAll(async () => { await app?.close(); db?.close(); });

async function sql(text: string, params: Record<string, string> = {}) {
  const conn = await db.connect();
  try { return await all(conn, text, params); } finally { conn.closeSync(); }
}
const get = async (url: string) => {
  const res = await app.inject({ method: 'GET', url, headers: ADMIN });
  return { status: res.statusCode, body: res.json() };
};
// JSON's view of a row read alone (DATEs as text, as the API sends them)
const plain = (rows: Record<string, unknown>[]) => JSON.parse(JSON.stringify(rows, (_k, v) => (typeof v === 'bigint' ? Number(v) : v)));

/** Each list of the profile as its own query reads it (the queries the profile ran one by one before). */
async function listsAlone(id: string) {
  const p = { id, as_of: asOf };
  return {
    coverage: await sql(`select c.role_id, r.title, c.target_kind, c.coverage::double as coverage from role_coverage c
      left join stg_roles r using (role_id) where c.employee_id = $id order by c.target_kind, c.role_id`, { id }),
    gaps: await sql(`select g.target_role_id, g.target_kind, g.skill_id, s.name as skill_name, g.required_level::int as required_level,
      g.current_level::int as current_level, g.gap::int as gap, g.importance::int as importance
      from skill_gaps_employee g left join stg_skills s using (skill_id)
      where g.employee_id = $id order by g.target_kind, g.target_role_id, g.gap desc, g.skill_id`, { id }),
    goals: await sql(`select g.goal_id, g.title, g.status, g.progress::double as progress, g.objective_id, g.target_role_id, g.skill_id,
      strftime(g.created_on, '%Y-%m-%d') as created_on, strftime(g.due_on, '%Y-%m-%d') as due_on, strftime(g.completed_on, '%Y-%m-%d') as completed_on,
      l.is_path_linked as is_linked, l.is_aligned
      from stg_goals g left join int_goals_linked l using (goal_id)
      where g.employee_id = $id and g.created_on <= $as_of::date order by g.created_on desc, g.goal_id`, p),
    reviews: await sql(`select cycle, performance::int as performance, potential::int as potential, strftime(reviewed_on, '%Y-%m-%d') as reviewed_on
      from stg_reviews where employee_id = $id and reviewed_on <= $as_of::date order by reviewed_on, cycle`, p),
    pulse: await sql(`select strftime(week_of, '%Y-%m-%d') as week_of, pulse::int as pulse, career_discussed, manager_replied
      from stg_check_ins where employee_id = $id and week_of <= $as_of::date order by week_of`, p),
  };
}

describe('the employee page in one statement per call', () => {
  it("each list of every profile is that person's rows read alone, in the same order", async () => {
    const ids = (await sql('select employee_id from career_path_state order by employee_id')).map((r) => String(r.employee_id));
    expect(ids.length).toBeGreaterThan(5);
    let seen = { coverage: 0, gaps: 0, goals: 0, reviews: 0, pulse: 0 };
    for (const id of ids) {
      const { status, body } = await get(`/api/employees/${id}`);
      expect(status).toBe(200);
      const alone = await listsAlone(id);
      for (const k of Object.keys(alone) as (keyof typeof alone)[]) {
        expect(body[k], `${id} ${k}`).toEqual(plain(alone[k]));
        seen = { ...seen, [k]: seen[k] + alone[k].length };
      }
      expect(body.employee.employee_id).toBe(id);
    }
    // the org has rows in every list, and people with several of them (so a fan-out would show)
    for (const n of Object.values(seen)) expect(n).toBeGreaterThan(ids.length / 4);
  });

  it('the suggestions are the mart’s rows for that person, in rank order, each with only its own role’s gaps', async () => {
    const ids = (await sql('select distinct employee_id from mobility_matches order by 1')).map((r) => String(r.employee_id));
    expect(ids.length).toBeGreaterThan(1);
    for (const id of ids) {
      const { status, body } = await get(`/api/employees/${id}/suggestions`);
      expect(status).toBe(200);
      const mart = await sql('select role_id, n_skills_to_close::int as n from mobility_matches where employee_id = $id order by rank', { id });
      expect(body.rows.map((r: { role_id: string }) => r.role_id)).toEqual(mart.map((m) => m.role_id));
      for (const [i, r] of body.rows.entries()) expect(r.gaps.length, `${id} ${r.role_id}`).toBe(mart[i].n);
    }
  });
});

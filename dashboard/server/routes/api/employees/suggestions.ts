// Suggested moves (issue 14, docs/marts.md "mobility_matches") for the dashboard:
//   GET  /api/employees/:id/suggestions — one person's suggestions, each with its skill gaps as rows
//        (skill, current, required: the same skills, in the same order, as the mart's skills_to_close text);
//   POST /api/employees/career-plans    — chosen suggestions as a career_plans CSV of the import contract
//        (status active, created_on = the server clock's date), for loading into Trellis or an HRIS.
// Both only for people in the caller's scope (a manager: their subtree).
import type { DuckDBConnection } from '@duckdb/node-api';
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { audit } from '../../../auth/audit.ts';
import { tableNames, userOf } from '../../../context.ts';
import { ApiError, NotFoundError } from '../../../errors.ts';
import { missingTables } from '../../../list-route.ts';
import { buildWhere } from '../../../query.ts';
import { readOnePrepared, readRows, type PlainRow } from '../../../rows.ts';
import { Bool, IdParam, Int, Num, Row, Str, errors } from '../../../schemas.ts';
import { scopeSql } from '../../../scope.ts';
import { versionCte } from './profile.ts';

export const SkillGap = Row({
  skill_id: Type.String(), skill_name: Str(), current_level: Int({ description: 'current level (no assessment = 0)' }),
  required_level: Int(), importance: Int(),
});

export const Suggestion = Row({
  rank: Int(), role_id: Type.String(), title: Str(), level_change: Int(), kind: Str({ enum: ['progression', 'two_step', 'lateral', null] }),
  coverage: Num(), n_skills_to_close: Int(), skills_to_close: Str(), months_in_role: Int(), has_open_need: Bool(),
  is_critical_without_ready_now: Bool(), is_path_target: Bool(),
  gaps: Type.Array(SkillGap, { description: 'the skills to close, most important first (the order of skills_to_close)' }),
});

const Suggestions = Type.Object({ rows: Type.Array(Suggestion), asOf: Str(), runId: Int() });

/** The career_plans columns of the import contract (../shared/spec/import-contract.md), in its order. */
export const CAREER_PLANS_HEADER = ['employee_id', 'target_role_id', 'created_on', 'status'] as const;

// One statement (bench/README.md, "The employee page under 50 ms"): the data version, whether the person is
// active and in the caller's scope (career_path_state, as the profile finds them), their suggestions in rank
// order, and the skill gaps of the suggested roles — the mart's skills_to_close as rows: each required skill of
// the role below its level (no assessment = 0), in the mart's order (importance, then skill name, then id), read
// from the same inputs the mart reads. mobility_matches and int_skill_levels_current are stored in employee
// order, so each lookup by id reads one row group.
function suggestionsSql(names: Set<string>, where: string): string {
  const mobility = ['mobility_matches', 'stg_role_skills', 'stg_skills', 'int_skill_levels_current'].every((t) => names.has(t));
  return `with ${versionCte(names)},
  person as (select employee_id from career_path_state ${where}),
  matches as (${mobility ? `
    select rank::int as rank, role_id, title, level_change::int as level_change, kind, coverage::double as coverage,
           n_skills_to_close::int as n_skills_to_close, skills_to_close, months_in_role::int as months_in_role,
           has_open_need, is_critical_without_ready_now, is_path_target
    from mobility_matches where employee_id = $id` : `
    select null::int as rank, null::varchar as role_id where false`}),
  gaps as (${mobility ? `
    select rs.role_id, rs.skill_id, s.name as skill_name, coalesce(l.current_level, 0)::int as current_level,
           rs.required_level::int as required_level, rs.importance::int as importance
    from stg_role_skills rs
    join stg_skills s using (skill_id)
    left join int_skill_levels_current l on l.employee_id = $id and l.skill_id = rs.skill_id
    where rs.role_id in (select role_id from matches)   -- the suggested roles
      and coalesce(l.current_level, 0) < rs.required_level` : `
    select null::varchar as role_id where false`})
  select (select run_id from version) as run_id, (select as_of from version) as as_of,
    exists (select 1 from person) as active,
    ${mobility ? `(select list(m order by m.rank) from matches m)` : 'null'} as matches,
    ${mobility ? `(select list(g order by g.role_id, g.importance desc, g.skill_name, g.skill_id) from gaps g)` : 'null'} as gaps`;
}

/** One employee's suggestions with their gaps and the data version; null when the person is not active or not in the caller's scope. */
async function suggestionsOf(conn: DuckDBConnection, id: string, user: ReturnType<typeof userOf>) {
  const names = await tableNames(conn);
  if (!names.has('career_path_state')) return null;
  const { where, params } = buildWhere({ scopeColumn: 'employee_id' }, {}, user, [{ clause: 'employee_id = $id', params: { id } }]);
  const row = await readOnePrepared(conn, suggestionsSql(names, where), { ...params, id });
  if (!row || row.active !== true) return null;
  const matches = (row.matches as PlainRow[] | null) ?? [];
  const gaps = (row.gaps as PlainRow[] | null) ?? [];
  const rows = matches.map((m) => ({
    ...m,
    gaps: gaps.filter((g) => g.role_id === m.role_id).map(({ role_id: _role, ...g }) => g),
  }));
  return { rows, asOf: (row.as_of as string | null) ?? null, runId: (row.run_id as number | null) ?? null };
}

const MoveBody = Type.Object({
  moves: Type.Array(Type.Object({ employee_id: IdParam, role_id: IdParam }, { additionalProperties: false }),
    { minItems: 1, maxItems: 10_000, description: 'the chosen suggestions: employee and suggested role' }),
}, { additionalProperties: false });

/** A CSV cell for an import file: RFC 4180 quoting only (ids must load back exactly as they are). */
const importCell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

/** The career_plans CSV (CRLF lines, header first) of these moves, created on `today` (YYYY-MM-DD), status active. */
export function careerPlansCsv(moves: { employee_id: string; role_id: string }[], today: string): string {
  const lines = [CAREER_PLANS_HEADER.join(','), ...moves.map((m) => [m.employee_id, m.role_id, today, 'active'].map(importCell).join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

export function registerSuggestions(app: FastifyInstance) {
  app.get('/:id/suggestions', {
    schema: {
      summary: 'One employee’s suggested moves (mobility_matches, best first) with the skill gaps of each',
      tags: ['employees'],
      params: Type.Object({ id: IdParam }),
      response: { 200: Suggestions, ...errors },
    },
  }, async (request) => {
    const { id } = request.params as { id: string };
    const answer = await app.reads.use((conn) => suggestionsOf(conn, id, userOf(request)));
    if (!answer) throw new NotFoundError(`No active employee with id "${id}" (or not in your part of the org)`);
    return answer;
  });

  app.post('/career-plans', {
    schema: {
      summary: 'Chosen suggested moves as a career_plans CSV (import contract; status active, created_on today)',
      tags: ['employees'],
      body: MoveBody,
      // 200: text/csv, employee_id,target_role_id,created_on,status
      response: errors,
    },
  }, async (request, reply) => {
    const { moves } = request.body as { moves: { employee_id: string; role_id: string }[] };
    const user = userOf(request);
    const scope = scopeSql(user, 'c.employee_id');
    const chosen = await app.reads.use(async (conn) => {
      if ((await missingTables(conn, ['mobility_matches'])).length) return { rows: [], ok: [] };
      // The pairs, deduplicated (the contract's key), each with whether it is a suggestion the caller may see.
      const rows = await readRows(conn, `
        with chosen as (
          select distinct m.employee_id, m.role_id
          from (select unnest(json_transform($moves, '[{"employee_id":"VARCHAR","role_id":"VARCHAR"}]')) as m)
        )
        select c.employee_id, c.role_id,
               exists (select 1 from mobility_matches x where x.employee_id = c.employee_id and x.role_id = c.role_id)
                 ${scope.clause ? `and ${scope.clause}` : ''} as ok
        from chosen c order by c.employee_id, c.role_id`, { moves: JSON.stringify(moves), ...scope.params });
      return { rows, ok: rows.filter((r) => r.ok === true) };
    });
    const refused = chosen.rows.filter((r) => r.ok !== true);
    if (refused.length) {
      const first = refused.slice(0, 3).map((r) => `${r.employee_id} → ${r.role_id}`).join(', ');
      throw new ApiError(scope.clause ? 403 : 400,
        `Not a suggested move${scope.clause ? ' of someone in your part of the org' : ''}: ${first}${refused.length > 3 ? ` and ${refused.length - 3} more` : ''}`,
        scope.clause ? 'forbidden' : 'bad_request');
    }
    const pairs = chosen.ok.map((r) => ({ employee_id: String(r.employee_id), role_id: String(r.role_id) }));
    const today = app.trellisAuth.now().toISOString().slice(0, 10);
    await audit(request, 'export', 'career_plans', { format: 'csv', rows: pairs.length });
    return reply.type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="career_plans-${today}.csv"`)
      .send(careerPlansCsv(pairs, today));
  });
}

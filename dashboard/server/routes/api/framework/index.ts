// GET /api/framework: the career framework (roles, progressions, required skills, skills), optionally
// one job family. Not about people, so not scoped.
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { dataVersion } from '../../../context.ts';
import { missingTables } from '../../../list-route.ts';
import { readRows } from '../../../rows.ts';
import { Bool, Int, Row, Str, errors } from '../../../schemas.ts';

const Framework = Type.Object({
  roles: Type.Array(Row({
    role_id: Type.String(), title: Str(), job_family: Str(), level: Int(), track: Str(), is_critical: Bool(), planned_headcount: Int(),
  })),
  progressions: Type.Array(Row({ from_role_id: Type.String(), to_role_id: Type.String(), typical_months: Int(), move: Str() })),
  role_skills: Type.Array(Row({ role_id: Type.String(), skill_id: Type.String(), required_level: Int(), importance: Int() })),
  skills: Type.Array(Row({ skill_id: Type.String(), name: Str(), category: Str() })),
  job_families: Type.Array(Type.String()),
  asOf: Str(),
  runId: Int(),
});

export default async function framework(app: FastifyInstance) {
  app.get('/', {
    schema: {
      summary: 'Roles, progressions, role skills and skills (filter: job_family)',
      tags: ['framework'],
      querystring: Type.Object({ job_family: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) }, { additionalProperties: false }),
      response: { 200: Framework, ...errors },
    },
  }, async (request) => {
    const family = (request.query as { job_family?: string }).job_family ?? null;
    return app.reads.use(async (conn) => {
      const version = await dataVersion(conn);
      const empty = { roles: [], progressions: [], role_skills: [], skills: [], job_families: [], ...version };
      if ((await missingTables(conn, ['stg_roles', 'stg_role_progressions', 'stg_role_skills', 'stg_skills'])).length) return empty;
      const p = { family };
      const inFamily = `select role_id from stg_roles where $family::varchar is null or job_family = $family`;
      const roles = await readRows(conn, `select role_id, title, job_family, level::int as level, track, is_critical,
        planned_headcount::int as planned_headcount from stg_roles where role_id in (${inFamily}) order by job_family, level, role_id`, p);
      // A progression shows when either end is in the family (moves across families stay visible).
      const progressions = await readRows(conn, `select from_role_id, to_role_id, typical_months::int as typical_months, move
        from stg_role_progressions where from_role_id in (${inFamily}) or to_role_id in (${inFamily}) order by all`, p);
      const roleSkills = await readRows(conn, `select role_id, skill_id, required_level::int as required_level, importance::int as importance
        from stg_role_skills where role_id in (${inFamily}) order by all`, p);
      const skills = await readRows(conn, `select skill_id, name, category from stg_skills
        where $family::varchar is null or skill_id in (select skill_id from stg_role_skills where role_id in (${inFamily}))
        order by skill_id`, p);
      const families = await readRows(conn, `select distinct job_family from stg_roles where job_family is not null order by 1`);
      return { roles, progressions, role_skills: roleSkills, skills, job_families: families.map((f) => f.job_family as string), ...version };
    });
  });
}

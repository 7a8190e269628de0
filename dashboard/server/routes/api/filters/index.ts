// GET /api/filters: the values the dashboard's filter drop-downs offer, so a shared link shows every
// choice (not only the values of the rows it happens to load). Departments and managers are the
// caller's: a manager sees those of their subtree; job families and skills are the framework's.
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { dataVersion, userOf } from '../../../context.ts';
import { missingTables } from '../../../list-route.ts';
import { readRows } from '../../../rows.ts';
import { Int, Row, Str, errors } from '../../../schemas.ts';
import { scopedFrom } from '../../../scoped.ts';

const Filters = Type.Object({
  departments: Type.Array(Type.String(), { description: 'departments of active employees (in the caller\'s scope)' }),
  job_families: Type.Array(Type.String(), { description: 'job families of the roles' }),
  skills: Type.Array(Row({ skill_id: Type.String(), name: Str() })),
  managers: Type.Array(Row({ employee_id: Type.String(), full_name: Str() }),
    { description: 'active employees with at least one active direct report (in the caller\'s scope), by name' }),
  asOf: Str(),
  runId: Int(),
});

export default async function filters(app: FastifyInstance) {
  app.get('/', {
    schema: {
      summary: 'Values for the filter drop-downs: departments, job families, skills, managers',
      tags: ['system'],
      querystring: Type.Object({}, { additionalProperties: false }),
      response: { 200: Filters, ...errors },
    },
  }, async (request) => {
    const user = userOf(request);
    return app.reads.use(async (conn) => {
      const version = await dataVersion(conn);
      const out = { departments: [] as string[], job_families: [] as string[], skills: [] as unknown[], managers: [] as unknown[], ...version };
      if (!(await missingTables(conn, ['career_path_state'])).length) {
        const people = scopedFrom('career_path_state', user);
        out.departments = (await readRows(conn, `select distinct department from ${people.sql} as p
          where department is not null order by 1`, people.params)).map((r) => r.department as string);
        // career_path_state holds the active employees: a manager here has a report in the active tree
        out.managers = await readRows(conn, `select employee_id, full_name from ${people.sql} as m
          where exists (select 1 from career_path_state r where r.manager_id = m.employee_id)
          order by full_name, employee_id`, people.params);
      }
      if (!(await missingTables(conn, ['stg_roles'])).length) {
        out.job_families = (await readRows(conn, `select distinct job_family from stg_roles
          where job_family is not null order by 1`)).map((r) => r.job_family as string);
      }
      if (!(await missingTables(conn, ['stg_skills'])).length) {
        out.skills = await readRows(conn, `select skill_id, name from stg_skills order by name, skill_id`);
      }
      return out;
    });
  });
}

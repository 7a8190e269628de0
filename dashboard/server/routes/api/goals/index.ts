// Goals: alignment rates by department and company, the objective tree with roll-up, orphan goals.
// A manager's figures are computed from the goals of their subtree.
import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { DuckDBValue } from '@duckdb/node-api';
import type { AuthUser } from '../../../auth/user.ts';
import { userOf } from '../../../context.ts';
import { PEOPLE_FILTERS } from '../../../filters.ts';
import { listRoute } from '../../../list-route.ts';
import { Int, Num, Row, Str } from '../../../schemas.ts';
import { isUnscoped, scopeSql } from '../../../scope.ts';
import { martShadow, scopedFrom, stored, withShadows, type Shadow } from '../../../scoped.ts';

const AlignmentRow = Row({
  scope: Type.String(), scope_value: Str(), n_live_goals: Int(), n_aligned: Int(), n_path_linked: Int(), n_orphan: Int(),
  aligned_rate: Num(), path_linked_rate: Num(), orphan_rate: Num(),
});

const ALIGNMENT_SQL = `select scope, scope_value, n_live_goals::int as n_live_goals, n_aligned::int as n_aligned,
  n_path_linked::int as n_path_linked, n_orphan::int as n_orphan, aligned_rate::double as aligned_rate,
  path_linked_rate::double as path_linked_rate, orphan_rate::double as orphan_rate from goal_alignment`;

/** The same rates from the live goals of the caller's subtree. */
const alignmentFrom = (goals: string) => `
  with g as (
    select c.department, l.is_aligned, l.is_path_linked, not l.is_aligned and not l.is_path_linked as is_orphan
    from ${goals} as l join career_path_state c using (employee_id)
  ),
  s as (
    select 'department' as scope, department as scope_value, * exclude (department) from g
    union all select 'company', null, * exclude (department) from g
  ),
  counted as (
    select scope, scope_value, count(*)::int as n_live_goals, count(*) filter (where is_aligned)::int as n_aligned,
      count(*) filter (where is_path_linked)::int as n_path_linked, count(*) filter (where is_orphan)::int as n_orphan
    from s group by all
  )
  select *, n_aligned::double / nullif(n_live_goals, 0) as aligned_rate,
    n_path_linked::double / nullif(n_live_goals, 0) as path_linked_rate,
    n_orphan::double / nullif(n_live_goals, 0) as orphan_rate
  from counted`;

const ObjectiveRow = Row({
  objective_id: Type.String(), title: Str(), parent_objective_id: Str(), department: Str(), period: Str(),
  n_items: Int(), n_goals: Int(), progress: Num(), depth: Int(),
});

/** The objective tree (depth from the roots) over `progress`, rows shaped like the objective_progress mart. */
const objectivesFrom = (progress: string) => `
  with recursive progress as materialized (
    ${progress}
  ),
  tree(objective_id, depth) as (
    select objective_id, 0 from progress
    where parent_objective_id is null or parent_objective_id not in (select objective_id from progress)
    union all
    select o.objective_id, tree.depth + 1 from progress o join tree on o.parent_objective_id = tree.objective_id
    where tree.depth < 64
  )
  select o.objective_id, o.title, o.parent_objective_id, o.department, o.period, o.n_items::int as n_items,
         o.n_goals::int as n_goals, o.progress::double as progress, min(tree.depth)::int as depth
  from progress o left join tree using (objective_id) group by all`;

const OBJECTIVES_SQL = objectivesFrom('select * from objective_progress');

/**
 * The objective_progress mart's own SQL (one definition of the roll-up) over the live goals of a
 * manager's subtree, through the same shadows as a manager's succession figures (scoped.ts); objectives
 * are org-wide, not about people, so they are read whole.
 */
function objectiveProgressFor(user: AuthUser | null): { sql: string; params: Record<string, DuckDBValue> } {
  const scope = scopeSql(user, 'employee_id');
  const shadows: Shadow[] = [
    { name: 'int_goals_live', sql: `select * from ${stored('int_goals_live')} where ${scope.clause}` },
    { name: 'stg_objectives', sql: `select * from ${stored('stg_objectives')}` },
  ];
  shadows.push(martShadow('objective_progress', shadows));
  return { sql: withShadows(shadows, 'select * from objective_progress'), params: scope.params };
}

const OrphanRow = Row({
  goal_id: Type.String(), employee_id: Type.String(), full_name: Str(), department: Str(), job_family: Str(),
  manager_id: Str(), title: Str(), status: Str(), progress: Num(), created_on: Str(), due_on: Str(),
});

const ORPHANS_SQL = `
  select l.goal_id, l.employee_id, c.full_name, c.department, r.job_family, c.manager_id, l.title, l.status,
         l.progress::double as progress, l.created_on, l.due_on
  from int_goals_linked l
  join career_path_state c using (employee_id)
  left join stg_roles r on r.role_id = c.role_id
  -- orphan: neither aligned to an objective nor linked to a path
  where not l.is_aligned and not l.is_path_linked
`;

export default async function goals(app: FastifyInstance) {
  listRoute(app, '/alignment', {
    summary: 'Live goals aligned to objectives, linked to career paths, or orphan: by department and company',
    tags: ['goals'],
    requires: ['goal_alignment', 'int_goals_linked', 'career_path_state'],
    row: AlignmentRow,
    spec: {
      base: ALIGNMENT_SQL,
      filters: { scope: { column: 'scope', values: ['department', 'company'] }, department: { column: 'scope_value' } },
      sorts: ['scope_value', 'n_live_goals', 'aligned_rate', 'path_linked_rate', 'orphan_rate'],
      defaultSort: 'scope_value',
      tieBreak: ['scope'],
      scopeColumn: null,
    },
    source: (request) => {
      const user = userOf(request);
      if (isUnscoped(user)) return { base: ALIGNMENT_SQL, params: {} };
      const g = scopedFrom('int_goals_linked', user);
      return { base: alignmentFrom(g.sql), params: g.params };
    },
  });

  listRoute(app, '/objectives', {
    summary: 'Objectives with roll-up progress (parent ids and depth give the tree); a manager\'s from their subtree\'s goals',
    tags: ['goals'],
    requires: ['objective_progress', 'int_goals_live'],
    row: ObjectiveRow,
    spec: {
      base: OBJECTIVES_SQL,
      filters: { department: { column: 'department' }, period: { column: 'period' }, parent: { column: 'parent_objective_id' } },
      sorts: ['objective_id', 'title', 'progress', 'depth', 'department'],
      defaultSort: 'depth',
      tieBreak: ['objective_id'],
      scopeColumn: null,
    },
    source: (request) => {
      const user = userOf(request);
      if (isUnscoped(user)) return { base: OBJECTIVES_SQL, params: {} };
      const progress = objectiveProgressFor(user);
      return { base: objectivesFrom(progress.sql), params: progress.params };
    },
  });

  listRoute(app, '/orphans', {
    summary: 'Live goals neither aligned to an objective nor linked to a career path',
    tags: ['goals'],
    requires: ['int_goals_linked', 'career_path_state', 'stg_roles'],
    row: OrphanRow,
    spec: {
      base: ORPHANS_SQL,
      filters: {
        department: PEOPLE_FILTERS.department, job_family: PEOPLE_FILTERS.job_family, manager: PEOPLE_FILTERS.manager,
        q: PEOPLE_FILTERS.q, status: { column: 'status' },
      },
      sorts: ['created_on', 'due_on', 'full_name', 'department', 'status', 'goal_id'],
      defaultSort: 'created_on',
      defaultOrder: 'desc',
      tieBreak: ['goal_id'],
      scopeColumn: 'employee_id',
    },
  });
}

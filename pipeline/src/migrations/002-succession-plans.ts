// Version 2: saved succession plans (docs/marts.md "Saved succession plans"), the first data users write.
// One row per planned critical role, its chosen successors with decided readiness, their development
// actions, and every version of the plan (who, when, what changed, and the whole plan as it was). The
// view `succession_plans` is the plans in the import contract's `successor_nominations` format, for
// `trellis export succession_plans`.
import type { Migration } from './index.ts';

const SQL = [
  `create table if not exists succession_plan_roles (
    role_id VARCHAR primary key, version INTEGER not null, notes VARCHAR, emergency_successor_id VARCHAR,
    created_at TIMESTAMP not null, created_by VARCHAR not null, updated_at TIMESTAMP not null, updated_by VARCHAR not null)`,
  // position: the order the plan lists them in; decided_on / decided_by: when the readiness was last decided
  // and by which account; nominated_by: that account's employee id (null when it has none), for the export
  `create table if not exists succession_plan_successors (
    role_id VARCHAR not null, employee_id VARCHAR not null, position INTEGER not null,
    decided_readiness VARCHAR not null check (decided_readiness in ('ready_now', '1_2_years', '3_plus_years')),
    decided_on DATE not null, decided_by VARCHAR not null, nominated_by VARCHAR)`,
  `create table if not exists succession_plan_actions (
    role_id VARCHAR not null, employee_id VARCHAR not null, position INTEGER not null,
    action VARCHAR not null, due_on DATE, done BOOLEAN not null default false)`,
  // changes: a JSON array of what changed (ids, rendered into words when read); snapshot: the plan as saved
  `create table if not exists succession_plan_versions (
    role_id VARCHAR not null, version INTEGER not null, changed_at TIMESTAMP not null, changed_by VARCHAR not null,
    changes VARCHAR not null, snapshot VARCHAR not null, primary key (role_id, version))`,
  `create or replace view succession_plans as
    select role_id, employee_id as nominee_id, nominated_by, decided_readiness as readiness, decided_on as nominated_on
    from succession_plan_successors`,
];

export const successionPlans: Migration = {
  version: 2,
  name: 'succession_plans',
  async up(conn) {
    for (const sql of SQL) await conn.run(sql);
  },
};

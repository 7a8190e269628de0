-- The manager tree as a closure table: one row per (ancestor, employee) pair among active employees,
-- each employee being their own ancestor at depth 0. Manager scope in the server filters on it.
with recursive
employees as (
  select employee_id, manager_id
  from stg_employees
  where hire_date <= $as_of
    and (termination_date is null or termination_date > $as_of)  -- active on as_of only
),
walk (ancestor_id, employee_id, depth) as (
  select employee_id, employee_id, 0
  from employees
  union all
  select boss.employee_id, walk.employee_id, walk.depth + 1
  from walk
  join employees as self on self.employee_id = walk.ancestor_id
  join employees as boss on boss.employee_id = self.manager_id  -- an inactive manager ends the chain
  where walk.depth < 64                                          -- ingest breaks cycles; this is a backstop
),
closure as (
  select ancestor_id, employee_id, min(depth)::int as depth
  from walk
  group by ancestor_id, employee_id
)
select * from closure

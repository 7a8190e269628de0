-- The manager tree as a closure table: one row per (ancestor, employee) pair among active employees,
-- each employee being their own ancestor at depth 0. Manager scope in the server filters on it.
with recursive
employees as (
  -- active on as_of only, with their manager at that date (history.md "Role and manager at T")
  select employee_id, manager_id
  from int_employees_active
),
edges as (
  -- each active employee's manager, when the manager is active too: an inactive manager ends the chain
  select self.employee_id, self.manager_id
  from employees as self
  join employees as boss on boss.employee_id = self.manager_id
),
walk (ancestor_id, employee_id, depth) as (
  select employee_id, employee_id, 0
  from employees
  union all
  select edges.manager_id, walk.employee_id, walk.depth + 1
  from walk
  join edges on edges.employee_id = walk.ancestor_id
  where walk.depth < 64                                          -- ingest breaks cycles; this is a backstop
),
-- ingest breaks cycles, so each pair comes once; should one slip through, the walk stops at the depth
-- limit and each pair is kept once, at its shortest depth
closure as (
  select ancestor_id, employee_id, min(depth)::int as depth
  from walk
  group by ancestor_id, employee_id
)
select * from closure

-- Live goals of active employees: created by the run date, not dropped, and not done unless completed
-- within [as_of - 365 days, as_of]. One row per live goal.
with

goals as (select * from stg_goals),

objectives as (select * from stg_objectives),

employees as (select * from int_employees_active),

live as (
    select goals.*
    from goals
    join employees using (employee_id)                                 -- only active employees' goals count
    where goals.created_on <= $as_of::date                                   -- goals created later do not exist yet
      and goals.status <> 'dropped'
      and (
          goals.status <> 'done'
          -- a done goal stays live for a year; a done goal without a completion date is not live
          or goals.completed_on between $as_of::date - 365 and $as_of::date
          -- completed after as_of but by the run's date: still open on as_of (history.md "Status at T")
          or (goals.completed_on > $as_of::date and goals.completed_on <= $run_as_of::date)
      )
),

flagged as (
    select
        live.goal_id,
        live.employee_id,
        live.title,
        live.objective_id,
        live.target_role_id,
        live.skill_id,
        live.status,
        live.progress,
        live.created_on,
        live.due_on,
        live.completed_on,
        -- aligned: names an objective that was loaded
        objectives.objective_id is not null as is_aligned
    from live
    left join objectives on objectives.objective_id = live.objective_id
)

select * from flagged

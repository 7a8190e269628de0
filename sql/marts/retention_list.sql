-- The retention list as GET /api/retention serves it: retention_risk with each employee's name, department,
-- role, job family and manager name, in exactly the route's columns, stored in the list's default order
-- (score desc, then employee_id): the full list is then one table read with no join and no sort
-- (dashboard/server/routes/api/retention/index.ts, ListSpec.storedOrder). One row per active employee.
-- The repeated text columns are stored as ENUMs (a code per row; read and sent as Arrow dictionaries):
-- enum: department, role_id, job_family, manager_name, path_state, band, reasons, factors_off
select
    c.employee_id,
    c.full_name,
    c.department,
    c.role_id,
    ro.job_family,
    c.manager_id,
    m.full_name as manager_name,
    c.path_state,
    r.no_path,
    r.plan_only,
    r.stalled,
    r.low_pulse,
    r.pulse_drop,
    r.checkins_lapsed,
    r.no_career_talk,
    r.high_performer_off_path,
    r.score::integer as score,
    r.band,
    r.reasons,
    r.factors_off
from retention_risk r
join career_path_state c on c.employee_id = r.employee_id
left join stg_roles ro on ro.role_id = c.role_id
left join stg_employees m on m.employee_id = c.manager_id
order by score desc nulls last, employee_id asc

-- Talent needs of every role (spec: "Talent needs"): headcount against plan, incumbents at high risk and
-- the internal pipeline by readiness. One row per role.
with

roles as (select * from stg_roles),

employees as (select * from int_employees_active),

risk as (select * from retention_risk),

rated as (select * from int_readiness_rated),

incumbents as (
    select
        employees.role_id,
        count(*)::integer as headcount,
        count(*) filter (where risk.band = 'high')::integer as incumbents_high_risk
    from employees
    join risk using (employee_id)
    group by employees.role_id
),

pipeline as (
    select
        role_id,
        count(*) filter (where readiness = 'ready_now')::integer as pipeline_ready_now,
        count(*) filter (where readiness = 'ready_1_2_years')::integer as pipeline_ready_1_2_years,
        count(*) filter (where readiness = 'ready_3_plus_years')::integer as pipeline_ready_3_plus_years,
        count(*) filter (where readiness = 'not_ready')::integer as pipeline_not_ready
    from rated
    where is_path_target                                               -- the pipeline is who aims at the role
    group by role_id
),

needs as (
    select
        roles.role_id,
        roles.title,
        roles.job_family,
        roles.level,
        coalesce(incumbents.headcount, 0) as headcount,
        roles.planned_headcount,
        greatest(0, coalesce(roles.planned_headcount - coalesce(incumbents.headcount, 0), 0)) as open_need,
        coalesce(incumbents.incumbents_high_risk, 0) as incumbents_high_risk,
        coalesce(pipeline.pipeline_ready_now, 0) as pipeline_ready_now,
        coalesce(pipeline.pipeline_ready_1_2_years, 0) as pipeline_ready_1_2_years,
        coalesce(pipeline.pipeline_ready_3_plus_years, 0) as pipeline_ready_3_plus_years,
        coalesce(pipeline.pipeline_not_ready, 0) as pipeline_not_ready
    from roles
    left join incumbents using (role_id)
    left join pipeline using (role_id)
),

shortfall as (
    select
        *,
        greatest(0, open_need + incumbents_high_risk - pipeline_ready_now) as shortfall
    from needs
)

select * from shortfall

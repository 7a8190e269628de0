-- stg_goals: the goals in effect (snapshot dataset, key goal_id), canonical columns only.
-- Rename and cast, nothing else: ingest has already validated, defaulted and lower-cased the values.
with source as (
    select * from src_goals
),

renamed as (
    select
        goal_id::varchar        as goal_id,
        employee_id::varchar    as employee_id,
        title::varchar          as title,
        objective_id::varchar   as objective_id,
        target_role_id::varchar as target_role_id,
        skill_id::varchar       as skill_id,
        status::varchar         as status,
        progress::double        as progress,
        created_on::date        as created_on,
        due_on::date            as due_on,
        completed_on::date      as completed_on
    from source
)

select * from renamed

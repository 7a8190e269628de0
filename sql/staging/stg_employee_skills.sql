-- stg_employee_skills: the employee_skills in effect (event dataset, key employee_id, skill_id, assessed_on, source), canonical columns only.
-- Rename and cast, nothing else: ingest has already validated, defaulted and lower-cased the values.
with source as (
    select * from src_employee_skills
),

renamed as (
    select
        employee_id::varchar as employee_id,
        skill_id::varchar    as skill_id,
        level::integer       as level,
        assessed_on::date    as assessed_on,
        source::varchar      as source
    from source
)

select * from renamed

-- stg_check_ins: the check_ins in effect (event dataset, key employee_id, week_of), canonical columns only.
-- Rename and cast, nothing else: ingest has already validated, defaulted and lower-cased the values.
with source as (
    select * from src_check_ins
),

renamed as (
    select
        employee_id::varchar      as employee_id,
        manager_id::varchar       as manager_id,
        week_of::date             as week_of,
        pulse::integer            as pulse,
        career_discussed::boolean as career_discussed,
        manager_replied::boolean  as manager_replied
    from source
)

select * from renamed

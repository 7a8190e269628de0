-- stg_career_plans: the career_plans in effect (snapshot dataset, key employee_id, target_role_id), canonical columns only.
-- Rename and cast, nothing else: ingest has already validated, defaulted and lower-cased the values.
with source as (
    select * from src_career_plans
),

renamed as (
    select
        employee_id::varchar    as employee_id,
        target_role_id::varchar as target_role_id,
        created_on::date        as created_on,
        status::varchar         as status
    from source
)

select * from renamed

-- stg_job_history: the job_history in effect (event dataset, key employee_id, effective_date), canonical columns only.
-- Rename and cast, nothing else: ingest has already validated, defaulted and lower-cased the values.
with source as (
    select * from src_job_history
),

renamed as (
    select
        employee_id::varchar  as employee_id,
        effective_date::date  as effective_date,
        role_id::varchar      as role_id,
        manager_id::varchar   as manager_id,
        department::varchar   as department,
        reason::varchar       as reason
    from source
)

select * from renamed

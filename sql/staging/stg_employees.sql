-- stg_employees: the employees in effect (snapshot dataset, key employee_id), canonical columns only.
-- Rename and cast, nothing else: ingest has already validated, defaulted and lower-cased the values.
with source as (
    select * from src_employees
),

renamed as (
    select
        employee_id::varchar      as employee_id,
        full_name::varchar        as full_name,
        email::varchar            as email,
        department::varchar       as department,
        role_id::varchar          as role_id,
        manager_id::varchar       as manager_id,
        location::varchar         as location,
        hire_date::date           as hire_date,
        role_start_date::date     as role_start_date,
        last_promotion_date::date as last_promotion_date,
        termination_date::date    as termination_date,
        termination_type::varchar as termination_type,
        regrettable::boolean      as regrettable
    from source
)

select * from renamed

-- stg_roles: the roles in effect (snapshot dataset, key role_id), canonical columns only.
-- Rename and cast, nothing else: ingest has already validated, defaulted and lower-cased the values.
with source as (
    select * from src_roles
),

renamed as (
    select
        role_id::varchar           as role_id,
        title::varchar             as title,
        job_family::varchar        as job_family,
        level::integer             as level,
        track::varchar             as track,
        is_critical::boolean       as is_critical,
        planned_headcount::integer as planned_headcount
    from source
)

select * from renamed

-- stg_role_skills: the role_skills in effect (snapshot dataset, key role_id, skill_id), canonical columns only.
-- Rename and cast, nothing else: ingest has already validated, defaulted and lower-cased the values.
with source as (
    select * from src_role_skills
),

renamed as (
    select
        role_id::varchar        as role_id,
        skill_id::varchar       as skill_id,
        required_level::integer as required_level,
        importance::integer     as importance
    from source
)

select * from renamed

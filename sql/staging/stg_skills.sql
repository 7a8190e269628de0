-- stg_skills: the skills in effect (snapshot dataset, key skill_id), canonical columns only.
-- Rename and cast, nothing else: ingest has already validated, defaulted and lower-cased the values.
with source as (
    select * from src_skills
),

renamed as (
    select
        skill_id::varchar as skill_id,
        name::varchar     as name,
        category::varchar as category
    from source
)

select * from renamed

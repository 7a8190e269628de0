-- stg_objectives: the objectives in effect (snapshot dataset, key objective_id), canonical columns only.
-- Rename and cast, nothing else: ingest has already validated, defaulted and lower-cased the values.
with source as (
    select * from src_objectives
),

renamed as (
    select
        objective_id::varchar        as objective_id,
        title::varchar               as title,
        parent_objective_id::varchar as parent_objective_id,
        department::varchar          as department,
        period::varchar              as period
    from source
)

select * from renamed

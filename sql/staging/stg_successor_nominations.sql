-- stg_successor_nominations: the successor_nominations in effect (snapshot dataset, key role_id, nominee_id), canonical columns only.
-- Rename and cast, nothing else: ingest has already validated, defaulted and lower-cased the values.
with source as (
    select * from src_successor_nominations
),

renamed as (
    select
        role_id::varchar      as role_id,
        nominee_id::varchar   as nominee_id,
        nominated_by::varchar as nominated_by,
        readiness::varchar    as readiness,
        nominated_on::date    as nominated_on
    from source
)

select * from renamed

-- stg_role_progressions: the role_progressions in effect (snapshot dataset, key from_role_id, to_role_id), canonical columns only.
-- Rename and cast, nothing else: ingest has already validated, defaulted and lower-cased the values.
with source as (
    select * from src_role_progressions
),

renamed as (
    select
        from_role_id::varchar   as from_role_id,
        to_role_id::varchar     as to_role_id,
        typical_months::integer as typical_months,
        move::varchar           as move
    from source
)

select * from renamed

-- stg_reviews: the reviews in effect (event dataset, key employee_id, cycle), canonical columns only.
-- Rename and cast, nothing else: ingest has already validated, defaulted and lower-cased the values.
with source as (
    select * from src_reviews
),

renamed as (
    select
        employee_id::varchar as employee_id,
        cycle::varchar       as cycle,
        reviewer_id::varchar as reviewer_id,
        performance::integer as performance,
        potential::integer   as potential,
        reviewed_on::date    as reviewed_on
    from source
)

select * from renamed

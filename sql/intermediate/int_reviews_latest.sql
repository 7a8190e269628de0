-- Each employee's latest review on or before the run date (a tie of dates goes to the larger cycle text).
-- One row per employee with a review.
with

reviews as (select * from stg_reviews),

employees as (select * from stg_employees),

known as (
    select *
    from reviews
    where reviewed_on <= $as_of::date                                        -- later reviews do not exist yet
      -- reviews are event rows kept across loads: one whose employee a later snapshot dropped is dangling
      and employee_id in (select employee_id from employees)
),

ranked as (
    select
        *,
        row_number() over (partition by employee_id order by reviewed_on desc, cycle desc) as rank_latest
    from known
),

latest as (
    select employee_id, cycle, reviewed_on, performance, potential
    from ranked
    where rank_latest = 1
)

select * from latest

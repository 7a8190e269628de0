-- The history dates (spec history.md "Points in time"): the last day of each of the $history_months
-- calendar months before as_of, plus as_of itself; a month-end before the earliest hire_date is skipped.
-- Each date carries the start of "the month ending at it": (previous month's last day, as_of_date], so
-- a mid-month as_of counts its month so far and no day counts twice. One row per date.
with

employees as (select * from stg_employees),

bounds as (select min(hire_date) as first_hire from employees),

month_ends as (
    select last_day(date_trunc('month', $as_of::date) - to_months(i))::date as as_of_date
    from range(1, $history_months::integer + 1) as months(i)
),

dates as (
    select month_ends.as_of_date
    from month_ends
    cross join bounds
    where month_ends.as_of_date >= bounds.first_hire
    union
    select $as_of::date
)

select
    as_of_date,
    last_day(as_of_date - to_months(1))::date as month_start_exclusive,
    as_of_date = $as_of::date as is_run_date
from dates
order by as_of_date

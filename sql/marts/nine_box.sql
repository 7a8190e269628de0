-- 9-box cell of each active employee whose latest review has both ratings (spec: "9-box").
-- One row per employee with a cell.
with

employees as (select * from int_employees_active),

reviews as (select * from int_reviews_latest),

rated as (
    select employees.employee_id, reviews.performance, reviews.potential
    from employees
    join reviews using (employee_id)                                   -- no latest review: no cell
    where reviews.potential is not null                                -- a blank potential: no cell
),

banded as (
    select
        employee_id,
        performance,
        potential,
        case when performance <= 2 then 'low' when performance = 3 then 'moderate' else 'high' end
            as performance_band,
        case potential when 1 then 'low' when 2 then 'moderate' else 'high' end as potential_band
    from rated
)

select * from banded

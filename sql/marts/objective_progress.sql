-- Roll-up progress of every objective (spec: "Goal alignment", roll-up). An objective's items are its
-- aligned live goals (done = 100, blank progress = 0) and its child objectives that have items; its
-- progress is their equal-weight mean, null with no items. The nested mean is computed set-based: each
-- goal weighs the product of 1/n_items along the path from the objective down to the goal's objective.
-- One row per objective.
with

objectives as (select * from stg_objectives),

goals as (select * from int_goals_live),

goal_values as (
    select
        objective_id,
        case when status = 'done' then 100.0 else coalesce(progress, 0) end as value
    from goals
    where is_aligned
),

direct_goals as (
    select objective_id, count(*) as n_goals, sum(value) as value_sum
    from goal_values
    group by objective_id
),

-- every (ancestor, descendant) pair, self included
closure as (
    with recursive walk(ancestor_id, objective_id, depth) as (
        select objective_id, objective_id, 0 from objectives
        union all
        select walk.ancestor_id, objectives.objective_id, walk.depth + 1
        from walk
        join objectives on objectives.parent_objective_id = walk.objective_id
        where walk.depth < 100                                         -- parents are acyclic; a guard anyway
    )
    select * from walk
),

-- an objective has items when any goal sits in its subtree
has_items as (
    select distinct closure.ancestor_id as objective_id
    from closure
    join direct_goals using (objective_id)
),

item_counts as (
    select
        objectives.objective_id,
        coalesce(direct_goals.n_goals, 0)
            + (select count(*) from objectives as child
               join has_items on has_items.objective_id = child.objective_id
               where child.parent_objective_id = objectives.objective_id) as n_items
    from objectives
    left join direct_goals using (objective_id)
),

-- weight of each descendant's direct goals in an ancestor's roll-up
weights as (
    with recursive down(ancestor_id, objective_id, weight, depth) as (
        select objective_id, objective_id, 1.0 / n_items, 0 from item_counts where n_items > 0
        union all
        select down.ancestor_id, child.objective_id, down.weight / item_counts.n_items, down.depth + 1
        from down
        join objectives as child on child.parent_objective_id = down.objective_id
        join item_counts on item_counts.objective_id = child.objective_id
        where item_counts.n_items > 0                                  -- children without items are no item
          and down.depth < 100
    )
    select * from down
),

rollup as (
    select weights.ancestor_id as objective_id, sum(weights.weight * direct_goals.value_sum) as progress
    from weights
    join direct_goals using (objective_id)
    group by weights.ancestor_id
),

listed as (
    select
        objectives.objective_id,
        objectives.title,
        objectives.parent_objective_id,
        objectives.department,
        objectives.period,
        item_counts.n_items::integer as n_items,
        coalesce(direct_goals.n_goals, 0)::integer as n_goals,
        case when item_counts.n_items > 0 then rollup.progress::double end as progress
    from objectives
    join item_counts using (objective_id)
    left join direct_goals using (objective_id)
    left join rollup using (objective_id)
)

select * from listed

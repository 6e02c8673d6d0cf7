{#-
    One row per opportunity and touch that may take credit for it: every touch of any person
    linked to the opportunity, strictly before the opportunity was created and at most
    `influence_window_days` before it. Six models share out one unit of credit per opportunity;
    the definitions are in _attribution__models.yml and pinned by unit tests.
-#}
{%- set half_life_days = var('attribution_time_decay_half_life_days', 7) | float -%}
{%- set dbl = 'double precision' -%}
{%- if half_life_days <= 0 -%}
    {{ exceptions.raise_compiler_error("var attribution_time_decay_half_life_days must be a positive number of days, got " ~ var('attribution_time_decay_half_life_days', 7)) }}
{%- endif -%}

with opportunities as (

    select
        opportunity_id,
        person_id as primary_person_id,
        created_at as opportunity_created_at,
        close_date as opportunity_close_date,
        is_closed,
        is_won,
        amount_reporting
    from {{ ref('fct_opportunities') }}

),

-- The primary contact is counted even if the link table missed it.
opportunity_people as (

    select opportunity_id, person_id
    from {{ ref('int_opportunity_people_linked') }}
    where person_id is not null
    union
    select opportunity_id, primary_person_id as person_id
    from opportunities
    where primary_person_id is not null

),

eligible_touches as (

    select
        opportunities.opportunity_id,
        opportunities.opportunity_created_at,
        touches.touch_id,
        touches.person_id,
        touches.touched_at,
        touches.touch_type,
        touches.channel,
        touches.campaign_id,
        touches.source_system,
        -- Seconds rather than days so sub-day gaps still decay; cast so both warehouses divide in floating point.
        cast({{ dbt.datediff('touches.touched_at', 'opportunities.opportunity_created_at', 'second') }} as {{ dbl }})
            / 86400 as days_before_opportunity
    from opportunities
    inner join opportunity_people
        on opportunity_people.opportunity_id = opportunities.opportunity_id
    inner join {{ ref('fct_touches') }} as touches
        on touches.person_id = opportunity_people.person_id
    where touches.touched_at < opportunities.opportunity_created_at
      and touches.touched_at >= {{ dbt.dateadd('day', -1 * var('influence_window_days') | int, 'opportunities.opportunity_created_at') }}

),

lead_created as (

    select
        opportunities.opportunity_id,
        funnel.lead_at
    from opportunities
    inner join {{ ref('fct_funnel') }} as funnel
        on funnel.person_id = opportunities.primary_person_id

),

positioned as (

    select
        eligible_touches.*,
        -- Ties on touched_at are broken by a hash of touch_id: a collation-free order both warehouses agree on.
        row_number() over (
            partition by eligible_touches.opportunity_id
            order by eligible_touches.touched_at, {{ dbt.hash('eligible_touches.touch_id') }}
        ) as touch_position,
        count(*) over (partition by eligible_touches.opportunity_id) as touch_count,
        case when eligible_touches.touched_at <= lead_created.lead_at then 1 else 0 end as is_before_lead
    from eligible_touches
    left join lead_created
        on lead_created.opportunity_id = eligible_touches.opportunity_id

),

lead_creation_position as (

    -- The lead-creation touch is the last touch at or before the primary person became a lead;
    -- with no such touch (no lead date, or every touch came later) it is the first touch.
    select
        opportunity_id,
        coalesce(max(case when is_before_lead = 1 then touch_position end), 1) as lead_touch_position
    from positioned
    group by opportunity_id

),

milestones as (

    select
        positioned.*,
        lead_creation_position.lead_touch_position,
        case when positioned.touch_position = 1 then 1 else 0 end as is_first,
        case when positioned.touch_position = lead_creation_position.lead_touch_position then 1 else 0 end as is_lead_creation,
        case when positioned.touch_position = positioned.touch_count then 1 else 0 end as is_opportunity_creation,
        -- Distinct touches holding a U-shaped milestone (first, lead creation) and a W-shaped one (+ opportunity creation).
        case when lead_creation_position.lead_touch_position = 1 then 1 else 2 end as u_milestone_touches,
        1
        + case when lead_creation_position.lead_touch_position not in (1, positioned.touch_count) then 1 else 0 end
        + case when positioned.touch_count > 1 then 1 else 0 end as w_milestone_touches,
        power(cast(0.5 as {{ dbl }}), positioned.days_before_opportunity / cast({{ half_life_days }} as {{ dbl }})) as decay_weight
    from positioned
    inner join lead_creation_position
        on lead_creation_position.opportunity_id = positioned.opportunity_id

),

roles as (

    select
        milestones.*,
        is_first + is_lead_creation as u_roles,
        is_first + is_lead_creation + is_opportunity_creation as w_roles,
        touch_count - u_milestone_touches as u_other_touches,
        touch_count - w_milestone_touches as w_other_touches
    from milestones

),

credited as (

    select
        roles.*,
        cast(is_first as {{ dbl }}) as credit_first_touch,
        cast(is_opportunity_creation as {{ dbl }}) as credit_last_touch,
        cast(1 as {{ dbl }}) / touch_count as credit_linear,
        -- Each milestone's share goes to the touch holding it (a touch holding two gets both), the
        -- remainder is spread evenly over the other touches, and when there are no other touches
        -- the milestones share everything in proportion. Written as one integer fraction per touch
        -- (U: 2 units per milestone + 1 for the rest; W: 3 + 3 + 3 + 1) so the single division is
        -- exactly rounded and both warehouses get the same bits.
        case
            when u_other_touches = 0 then cast(u_roles as {{ dbl }}) / 2
            when u_roles > 0 then cast(2 * u_roles as {{ dbl }}) / 5
            else cast(1 as {{ dbl }}) / (5 * u_other_touches)
        end as credit_u_shaped,
        case
            when w_other_touches = 0 then cast(w_roles as {{ dbl }}) / 3
            when w_roles > 0 then cast(3 * w_roles as {{ dbl }}) / 10
            else cast(1 as {{ dbl }}) / (10 * w_other_touches)
        end as credit_w_shaped,
        decay_weight / sum(decay_weight) over (partition by opportunity_id) as credit_time_decay
    from roles

)

{%- set string = dbt.type_string() %}
{%- set attribution_models = ["first_touch", "last_touch", "linear", "u_shaped", "w_shaped", "time_decay"] %}

select
    cast({{ dbt.concat(["credited.opportunity_id", "'|'", "credited.touch_id"]) }} as {{ string }}) as attribution_id,
    cast(credited.opportunity_id as {{ string }}) as opportunity_id,
    cast(credited.touch_id as {{ string }}) as touch_id,
    cast(credited.person_id as {{ string }}) as person_id,
    cast(credited.touched_at as {{ dbt.type_timestamp() }}) as touched_at,
    cast(credited.touch_type as {{ string }}) as touch_type,
    cast(credited.channel as {{ string }}) as channel,
    cast(credited.campaign_id as {{ string }}) as campaign_id,
    cast(credited.source_system as {{ string }}) as source_system,
    cast(opportunities.opportunity_created_at as {{ dbt.type_timestamp() }}) as opportunity_created_at,
    cast(opportunities.opportunity_close_date as date) as opportunity_close_date,
    cast(opportunities.is_closed as {{ dbt.type_boolean() }}) as is_closed,
    cast(opportunities.is_won as {{ dbt.type_boolean() }}) as is_won,
    cast(opportunities.amount_reporting as {{ dbt.type_numeric() }}) as amount_reporting,
    cast(credited.touch_position as integer) as touch_position,
    cast(credited.touch_count as integer) as touch_count,
    cast(credited.days_before_opportunity as {{ dbl }}) as days_before_opportunity,
    credited.is_first = 1 as is_first_touch,
    credited.is_lead_creation = 1 as is_lead_creation_touch,
    credited.is_opportunity_creation = 1 as is_opportunity_creation_touch,
    {%- for model in attribution_models %}
    cast(credited.credit_{{ model }} as {{ dbl }}) as credit_{{ model }},
    {%- endfor %}
    {%- for model in attribution_models %}
    cast(credited.credit_{{ model }} * opportunities.amount_reporting as {{ dbl }}) as revenue_{{ model }}{{ "," if not loop.last }}
    {%- endfor %}
from credited
inner join opportunities
    on opportunities.opportunity_id = credited.opportunity_id

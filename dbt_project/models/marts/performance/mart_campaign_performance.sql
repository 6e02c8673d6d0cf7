{#-
    One row per campaign: what it touched, the funnel it sourced and influenced, the pipeline and
    bookings behind it, what it cost and its return. Definitions are in _performance__models.yml.
-#}
{%- set attribution_models = ['first_touch', 'last_touch', 'linear', 'u_shaped', 'w_shaped', 'time_decay'] -%}
{%- set roi_model = var('attribution_model_for_roi', 'w_shaped') -%}
{%- if roi_model not in attribution_models -%}
    {{ exceptions.raise_compiler_error("var attribution_model_for_roi must be one of " ~ attribution_models | join(', ') ~ "; got '" ~ roi_model ~ "'") }}
{%- endif -%}
{%- set dbl = 'double precision' -%}
{%- set string = dbt.type_string() -%}
{%- set money = dbt.type_numeric() -%}
{#- People-level stages; opportunities and wins are counted as deals, from fct_attribution. -#}
{%- set stages = ['lead', 'mql', 'sql'] -%}

with campaigns as (

    select
        campaign_id,
        campaign_name,
        campaign_type,
        channel,
        start_date,
        end_date,
        budgeted_cost,
        actual_cost
    from {{ ref('dim_campaigns') }}

),

campaign_touches as (

    select campaign_id, person_id, touched_at
    from {{ ref('fct_touches') }}
    where campaign_id is not null

),

touch_counts as (

    select
        campaign_id,
        count(*) as touches,
        count(distinct person_id) as people_touched
    from campaign_touches
    group by campaign_id

),

funnel as (

    select person_id, first_touch_campaign_id, lead_at, mql_at, sql_at, opportunity_at, won_at
    from {{ ref('fct_funnel') }}

),

-- Sourced: the person's very first touch was in the campaign.
sourced_people as (

    select
        first_touch_campaign_id as campaign_id,
        {%- for stage in stages %}
        count({{ stage }}_at) as sourced_{{ stage }}_people{{ "," if not loop.last }}
        {%- endfor %}
    from funnel
    where first_touch_campaign_id is not null
    group by first_touch_campaign_id

),

-- Influenced: the person had a touch in the campaign at or before reaching the stage.
influenced_people as (

    select
        person_campaigns.campaign_id,
        {%- for stage in stages %}
        count(case when funnel.{{ stage }}_at >= person_campaigns.first_touched_at then 1 end) as influenced_{{ stage }}_people{{ "," if not loop.last }}
        {%- endfor %}
    from (
        select campaign_id, person_id, min(touched_at) as first_touched_at
        from campaign_touches
        group by campaign_id, person_id
    ) as person_campaigns
    inner join funnel
        on funnel.person_id = person_campaigns.person_id
    group by person_campaigns.campaign_id

),

-- Opportunity side, from fct_attribution: sourced when the opportunity's first touch was in the
-- campaign, influenced when any credited touch was.
opportunity_campaigns as (

    select
        opportunity_id,
        campaign_id,
        max(case when is_first_touch then 1 else 0 end) as is_sourced,
        max(case when is_won then 1 else 0 end) as is_won,
        max(amount_reporting) as amount_reporting,
        sum(revenue_{{ roi_model }}) as attributed_revenue
    from {{ ref('fct_attribution') }}
    where campaign_id is not null
    group by opportunity_id, campaign_id

),

opportunity_counts as (

    select
        campaign_id,
        count(case when is_sourced = 1 then 1 end) as sourced_opportunities,
        count(*) as influenced_opportunities,
        count(case when is_sourced = 1 and is_won = 1 then 1 end) as sourced_wins,
        count(case when is_won = 1 then 1 end) as influenced_wins,
        sum(case when is_sourced = 1 then amount_reporting else 0 end) as pipeline_sourced,
        sum(amount_reporting) as pipeline_influenced,
        sum(case when is_sourced = 1 and is_won = 1 then amount_reporting else 0 end) as bookings_sourced,
        sum(case when is_won = 1 then amount_reporting else 0 end) as bookings_influenced,
        sum(attributed_revenue) as attributed_pipeline,
        sum(case when is_won = 1 then attributed_revenue else 0 end) as attributed_bookings
    from opportunity_campaigns
    group by campaign_id

),

joined as (

    select
        campaigns.*,
        coalesce(touch_counts.touches, 0) as touches,
        coalesce(touch_counts.people_touched, 0) as people_touched,
        {%- for stage in stages %}
        coalesce(sourced_people.sourced_{{ stage }}_people, 0) as sourced_{{ stage }}_people,
        coalesce(influenced_people.influenced_{{ stage }}_people, 0) as influenced_{{ stage }}_people,
        {%- endfor %}
        coalesce(opportunity_counts.sourced_opportunities, 0) as sourced_opportunities,
        coalesce(opportunity_counts.influenced_opportunities, 0) as influenced_opportunities,
        coalesce(opportunity_counts.sourced_wins, 0) as sourced_wins,
        coalesce(opportunity_counts.influenced_wins, 0) as influenced_wins,
        coalesce(opportunity_counts.pipeline_sourced, 0) as pipeline_sourced,
        coalesce(opportunity_counts.pipeline_influenced, 0) as pipeline_influenced,
        coalesce(opportunity_counts.bookings_sourced, 0) as bookings_sourced,
        coalesce(opportunity_counts.bookings_influenced, 0) as bookings_influenced,
        coalesce(opportunity_counts.attributed_pipeline, 0) as attributed_pipeline,
        coalesce(opportunity_counts.attributed_bookings, 0) as attributed_bookings
    from campaigns
    left join touch_counts on touch_counts.campaign_id = campaigns.campaign_id
    left join sourced_people on sourced_people.campaign_id = campaigns.campaign_id
    left join influenced_people on influenced_people.campaign_id = campaigns.campaign_id
    left join opportunity_counts on opportunity_counts.campaign_id = campaigns.campaign_id

)

select
    cast(campaign_id as {{ string }}) as campaign_id,
    cast(campaign_name as {{ string }}) as campaign_name,
    cast(campaign_type as {{ string }}) as campaign_type,
    cast(channel as {{ string }}) as channel,
    cast(start_date as date) as start_date,
    cast(end_date as date) as end_date,
    cast(touches as {{ dbt.type_bigint() }}) as touches,
    cast(people_touched as {{ dbt.type_bigint() }}) as people_touched,
    {%- for stage in stages %}
    cast(sourced_{{ stage }}_people as {{ dbt.type_bigint() }}) as sourced_{{ stage }}s,
    cast(influenced_{{ stage }}_people as {{ dbt.type_bigint() }}) as influenced_{{ stage }}s,
    {%- endfor %}
    cast(sourced_opportunities as {{ dbt.type_bigint() }}) as sourced_opportunities,
    cast(influenced_opportunities as {{ dbt.type_bigint() }}) as influenced_opportunities,
    cast(sourced_wins as {{ dbt.type_bigint() }}) as sourced_wins,
    cast(influenced_wins as {{ dbt.type_bigint() }}) as influenced_wins,
    cast(pipeline_sourced as {{ money }}) as pipeline_sourced,
    cast(pipeline_influenced as {{ money }}) as pipeline_influenced,
    cast(bookings_sourced as {{ money }}) as bookings_sourced,
    cast(bookings_influenced as {{ money }}) as bookings_influenced,
    cast(budgeted_cost as {{ money }}) as budgeted_cost,
    cast(actual_cost as {{ money }}) as cost,
    cast(actual_cost as {{ dbl }}) / nullif(sourced_mql_people, 0) as cost_per_mql,
    cast(actual_cost as {{ dbl }}) / nullif(sourced_sql_people, 0) as cost_per_sql,
    cast(actual_cost as {{ dbl }}) / nullif(sourced_opportunities, 0) as cost_per_opportunity,
    cast('{{ roi_model }}' as {{ string }}) as roi_attribution_model,
    cast(attributed_pipeline as {{ money }}) as attributed_pipeline,
    cast(attributed_bookings as {{ money }}) as attributed_bookings,
    (cast(attributed_bookings as {{ dbl }}) - cast(actual_cost as {{ dbl }})) / nullif(cast(actual_cost as {{ dbl }}), 0) as roi
from joined

{#-
    Funnel conversion by cohort: people grouped by the month they became a lead (or, never having
    become one, the month of their first touch), their conformed channel and their first-touch
    campaign. Stage counts are people who reached the stage at any time so far; a rate's numerator
    only counts people who also reached the stage before it, so no rate exceeds 1.
-#}
{%- set dbl = 'double precision' -%}
{%- set string = dbt.type_string() -%}

with funnel as (

    select
        person_id,
        cast({{ dbt.date_trunc('month', 'coalesce(lead_at, first_touch_at, subscriber_at)') }} as date) as cohort_month,
        coalesce(channel, 'unknown') as channel,
        first_touch_campaign_id as campaign_id,
        lead_at,
        mql_at,
        sql_at,
        opportunity_at,
        won_at
    from {{ ref('fct_funnel') }}
    -- Someone with none of these dates has left no trace of entering the funnel yet.
    where coalesce(lead_at, first_touch_at, subscriber_at) is not null

),

-- One hand-off per person: their first MQL, should the hand-off model ever hold more.
handoffs as (

    select person_id, hours_to_first_activity, sla_met, never_followed_up
    from (
        select
            person_id,
            hours_to_first_activity,
            sla_met,
            never_followed_up,
            row_number() over (partition by person_id order by mql_at) as handoff_number
        from {{ ref('fct_lead_handoffs') }}
    ) as numbered
    where handoff_number = 1

),

aggregated as (

    select
        funnel.cohort_month,
        funnel.channel,
        funnel.campaign_id,
        count(*) as people,
        count(funnel.lead_at) as leads,
        count(funnel.mql_at) as mqls,
        count(funnel.sql_at) as sqls,
        count(funnel.opportunity_at) as opportunities,
        count(funnel.won_at) as wins,
        count(case when funnel.lead_at is not null and funnel.mql_at is not null then 1 end) as leads_reaching_mql,
        count(case when funnel.mql_at is not null and funnel.sql_at is not null then 1 end) as mqls_reaching_sql,
        count(case when funnel.sql_at is not null and funnel.opportunity_at is not null then 1 end) as sqls_reaching_opportunity,
        count(case when funnel.opportunity_at is not null and funnel.won_at is not null then 1 end) as opportunities_reaching_win,
        count(case when funnel.lead_at is not null and funnel.won_at is not null then 1 end) as leads_reaching_win,
        count(handoffs.person_id) as mql_handoffs,
        count(case when handoffs.never_followed_up then 1 end) as never_followed_up_mqls,
        count(case when handoffs.sla_met then 1 end) as sla_met_mqls,
        avg(cast(handoffs.hours_to_first_activity as {{ dbl }})) as avg_hours_to_first_activity,
        percentile_cont(0.5) within group (order by cast(handoffs.hours_to_first_activity as {{ dbl }})) as median_hours_to_first_activity
    from funnel
    left join handoffs
        on handoffs.person_id = funnel.person_id
    group by funnel.cohort_month, funnel.channel, funnel.campaign_id

)

select
    cast({{ dbt.concat(["cast(cohort_month as " ~ string ~ ")", "'|'", "channel", "'|'", "coalesce(campaign_id, '(none)')"]) }} as {{ string }}) as funnel_kpi_id,
    cohort_month,
    cast(channel as {{ string }}) as channel,
    cast(campaign_id as {{ string }}) as campaign_id,
    {%- for column in ['people', 'leads', 'mqls', 'sqls', 'opportunities', 'wins', 'leads_reaching_mql', 'mqls_reaching_sql', 'sqls_reaching_opportunity', 'opportunities_reaching_win', 'leads_reaching_win', 'mql_handoffs', 'never_followed_up_mqls', 'sla_met_mqls'] %}
    cast({{ column }} as {{ dbt.type_bigint() }}) as {{ column }},
    {%- endfor %}
    cast(leads_reaching_mql as {{ dbl }}) / nullif(leads, 0) as lead_to_mql_rate,
    cast(mqls_reaching_sql as {{ dbl }}) / nullif(mqls, 0) as mql_to_sql_rate,
    cast(sqls_reaching_opportunity as {{ dbl }}) / nullif(sqls, 0) as sql_to_opportunity_rate,
    cast(opportunities_reaching_win as {{ dbl }}) / nullif(opportunities, 0) as opportunity_to_win_rate,
    cast(leads_reaching_win as {{ dbl }}) / nullif(leads, 0) as lead_to_win_rate,
    cast(avg_hours_to_first_activity as {{ dbl }}) as avg_hours_to_first_activity,
    cast(median_hours_to_first_activity as {{ dbl }}) as median_hours_to_first_activity,
    cast(never_followed_up_mqls as {{ dbl }}) / nullif(mql_handoffs, 0) as never_followed_up_rate,
    cast(sla_met_mqls as {{ dbl }}) / nullif(mql_handoffs, 0) as sla_met_rate
from aggregated

-- One row per person: when they first reached each conformed funnel stage, where they came from,
-- who owns them and where they stand now. Stages come from int_funnel_stage_events (through the
-- funnel_stage_mapping seed); a stage a person skipped stays null rather than being invented.

with

people as (

    select * from {{ ref('dim_people') }}

),

stages as (

    select funnel_stage, stage_order
    from {{ ref('funnel_stages') }}

),

stage_events as (

    select
        events.person_id,
        events.funnel_stage,
        events.reached_at,
        stages.stage_order
    from {{ ref('int_funnel_stage_events') }} as events
    inner join stages
        on events.funnel_stage = stages.funnel_stage

),

{% set funnel_stages = ['subscriber', 'lead', 'mql', 'sql', 'opportunity', 'won'] %}

first_reached as (

    select
        person_id,
        {% for stage in funnel_stages %}
        min(case when funnel_stage = '{{ stage }}' then reached_at end) as {{ stage }}_at,
        {% endfor %}
        max(stage_order) as furthest_stage_order
    from stage_events
    group by person_id

),

-- A stage first reached only after a later one counts as skipped: a lead in Salesforce who later
-- subscribes in HubSpot did not come in as a subscriber, and keeping that date would make the
-- funnel run backwards in time. (least() ignores nulls, in DuckDB as in Postgres.)
reached as (

    select
        person_id,
        {% for stage in funnel_stages %}
        {% if loop.last %}
        {{ stage }}_at,
        {% else %}
        case
            when least({{ stage }}_at, {{ funnel_stages[loop.index:] | join('_at, ') }}_at) = {{ stage }}_at
                then {{ stage }}_at
        end as {{ stage }}_at,
        {% endif %}
        {% endfor %}
        furthest_stage_order
    from first_reached

),

-- The stage each record's current status means (Salesforce Lead Status, HubSpot lifecycle stage).
status_mapping as (

    select
        source_system,
        source_field,
        lower(source_value) as source_value,
        funnel_stage,
        is_disqualified
    from {{ ref('funnel_stage_mapping') }}

),

current_status as (

    select
        records.person_id,
        max(stages.stage_order) as status_stage_order,
        max(case when status_mapping.is_disqualified then 1 else 0 end) as is_disqualified
    from {{ ref('int_person_records_resolved') }} as records
    inner join status_mapping
        on records.source_system = status_mapping.source_system
        and status_mapping.source_field = case records.record_type
            when 'salesforce_lead' then 'lead_status'
            when 'hubspot_contact' then 'lifecyclestage'
        end
        and lower(records.status_value) = status_mapping.source_value
    inner join stages
        on status_mapping.funnel_stage = stages.funnel_stage
    group by records.person_id

),

ranked_touches as (

    select
        person_id,
        touched_at,
        touch_type,
        channel,
        campaign_id,
        row_number() over (partition by person_id order by touched_at, touch_id) as touch_rank
    from {{ ref('fct_touches') }}
    where person_id is not null

),

first_touches as (

    select * from ranked_touches where touch_rank = 1

),

stage_names as (

    select stage_order, min(funnel_stage) as funnel_stage
    from stages
    group by stage_order

),

combined as (

    select
        people.person_id,
        first_touches.touched_at as first_touch_at,
        first_touches.touch_type as first_touch_type,
        first_touches.channel as first_touch_channel,
        first_touches.campaign_id as first_touch_campaign_id,
        reached.subscriber_at,
        reached.lead_at,
        reached.mql_at,
        reached.sql_at,
        reached.opportunity_at,
        reached.won_at,
        people.original_source_system,
        people.original_source,
        people.channel,
        people.owner_id,
        people.account_id,
        case
            when coalesce(reached.furthest_stage_order, -1) >= coalesce(current_status.status_stage_order, -1)
                then reached.furthest_stage_order
            else current_status.status_stage_order
        end as current_stage_order,
        coalesce(current_status.is_disqualified, 0) = 1
            and reached.opportunity_at is null as is_disqualified
    from people
    left join reached
        on people.person_id = reached.person_id
    left join current_status
        on people.person_id = current_status.person_id
    left join first_touches
        on people.person_id = first_touches.person_id

)

select
    cast(combined.person_id as {{ dbt.type_string() }}) as person_id,
    cast(combined.first_touch_at as {{ dbt.type_timestamp() }}) as first_touch_at,
    cast(combined.first_touch_type as {{ dbt.type_string() }}) as first_touch_type,
    cast(combined.first_touch_channel as {{ dbt.type_string() }}) as first_touch_channel,
    cast(combined.first_touch_campaign_id as {{ dbt.type_string() }}) as first_touch_campaign_id,
    cast(combined.subscriber_at as {{ dbt.type_timestamp() }}) as subscriber_at,
    cast(combined.lead_at as {{ dbt.type_timestamp() }}) as lead_at,
    cast(combined.mql_at as {{ dbt.type_timestamp() }}) as mql_at,
    cast(combined.sql_at as {{ dbt.type_timestamp() }}) as sql_at,
    cast(combined.opportunity_at as {{ dbt.type_timestamp() }}) as opportunity_at,
    cast(combined.won_at as {{ dbt.type_timestamp() }}) as won_at,
    cast({{ dbt.date_trunc('month', 'combined.lead_at') }} as date) as lead_month,
    cast(combined.original_source_system as {{ dbt.type_string() }}) as original_source_system,
    cast(combined.original_source as {{ dbt.type_string() }}) as original_source,
    cast(combined.channel as {{ dbt.type_string() }}) as channel,
    cast(combined.owner_id as {{ dbt.type_string() }}) as owner_id,
    cast(combined.account_id as {{ dbt.type_string() }}) as account_id,
    cast(stage_names.funnel_stage as {{ dbt.type_string() }}) as current_stage,
    cast(combined.current_stage_order as integer) as current_stage_order,
    cast(combined.is_disqualified as boolean) as is_disqualified
from combined
left join stage_names
    on combined.current_stage_order = stage_names.stage_order

-- One row per opportunity: stage, outcome, amount in its own and in the reporting currency,
-- cycle length, and whether marketing sourced or influenced it.
--   marketing-sourced: the opportunity names a campaign, or its primary person's first marketing
--     touch came no later than both becoming a lead and the opportunity's creation;
--   marketing-influenced: marketing-sourced, or any person on it was touched by marketing between
--     var influence_window_days before creation and the close (or now, while open).
{{ config(contract=pass_through_contract('fct_opportunities')) }}

with

opportunities as (

    select * from {{ ref('stg_salesforce__opportunities') }}

),

stage_mapping as (

    select stage_name, opportunity_stage
    from {{ ref('opportunity_stage_mapping') }}

),

rates as (

    select upper(currency_code) as currency_code, rate
    from {{ ref('currency_rates') }}
    where upper(reporting_currency) = upper('{{ var("reporting_currency") }}')

),

lead_source_channels as (

    select lower(source_value) as source_value, channel
    from {{ ref('channel_mapping') }}
    where source_system = 'salesforce' and source_field = 'lead_source'

),

campaigns as (

    select * from {{ ref('int_campaign_source_ids') }}

),

users as (

    select user_id, salesforce_user_id
    from {{ ref('int_users_matched') }}

),

links as (

    select * from {{ ref('int_opportunity_people_linked') }}

),

primary_people as (

    select opportunity_id, person_id
    from links
    where is_primary

),

funnel as (

    select person_id, first_touch_at, lead_at
    from {{ ref('fct_funnel') }}

),

influence as (

    select
        links.opportunity_id,
        max(1) as has_influencing_touch
    from links
    inner join opportunities
        on links.opportunity_id = opportunities.opportunity_id
    inner join {{ ref('fct_touches') }} as touches
        on links.person_id = touches.person_id
    where touches.touched_at >= {{ dbt.dateadd('day', -1 * var('influence_window_days'), 'opportunities.created_at') }}
      and (
        not opportunities.is_closed
        or touches.touched_at < cast({{ dbt.dateadd('day', 1, 'opportunities.close_date') }} as {{ dbt.type_timestamp() }})
      )
    group by links.opportunity_id

),

combined as (

    select
        opportunities.*,
        stage_mapping.opportunity_stage,
        rates.rate,
        coalesce(lead_source_channels.channel, campaigns.channel, 'Unknown') as channel,
        campaigns.campaign_id as conformed_campaign_id,
        primary_people.person_id,
        users.user_id as owner_user_id,
        campaigns.campaign_id is not null
            or (
                funnel.first_touch_at is not null
                and funnel.first_touch_at <= opportunities.created_at
                and (funnel.lead_at is null or funnel.first_touch_at <= funnel.lead_at)
            ) as is_marketing_sourced,
        influence.has_influencing_touch is not null as has_influencing_touch
    from opportunities
    left join stage_mapping
        on opportunities.stage_name = stage_mapping.stage_name
    left join rates
        on opportunities.currency_code = rates.currency_code
    left join lead_source_channels
        on lower(opportunities.lead_source) = lead_source_channels.source_value
    left join campaigns
        on opportunities.campaign_id = campaigns.source_campaign_id
    left join primary_people
        on opportunities.opportunity_id = primary_people.opportunity_id
    left join funnel
        on primary_people.person_id = funnel.person_id
    left join influence
        on opportunities.opportunity_id = influence.opportunity_id
    left join users
        on opportunities.owner_id = users.salesforce_user_id

)

select
    cast(opportunity_id as {{ dbt.type_string() }}) as opportunity_id,
    cast(opportunity_name as {{ dbt.type_string() }}) as opportunity_name,
    cast(account_id as {{ dbt.type_string() }}) as account_id,
    cast(person_id as {{ dbt.type_string() }}) as person_id,
    cast(owner_user_id as {{ dbt.type_string() }}) as owner_id,
    cast(opportunity_type as {{ dbt.type_string() }}) as opportunity_type,
    cast(created_at as {{ dbt.type_timestamp() }}) as created_at,
    cast(close_date as date) as close_date,
    cast(stage_name as {{ dbt.type_string() }}) as stage_name,
    cast(coalesce(opportunity_stage, 'unmapped') as {{ dbt.type_string() }}) as stage,
    cast(is_closed as boolean) as is_closed,
    cast(is_won as boolean) as is_won,
    cast(probability as numeric(9, 2)) as probability,
    cast(amount as numeric(18, 2)) as amount,
    cast(currency_code as {{ dbt.type_string() }}) as currency_code,
    cast(amount * rate as numeric(18, 2)) as amount_reporting,
    cast('{{ var("reporting_currency") }}' as {{ dbt.type_string() }}) as reporting_currency,
    cast(lead_source as {{ dbt.type_string() }}) as lead_source,
    cast(channel as {{ dbt.type_string() }}) as channel,
    cast(conformed_campaign_id as {{ dbt.type_string() }}) as campaign_id,
    cast(is_marketing_sourced as boolean) as is_marketing_sourced,
    cast(is_marketing_sourced or has_influencing_touch as boolean) as is_marketing_influenced,
    cast(
        case when is_closed then {{ dbt.datediff('cast(created_at as date)', 'close_date', 'day') }} end
        as integer
    ) as cycle_days
    {{- pass_through_mart('fct_opportunities', [['salesforce_opportunity', 'combined']]) }}
from combined

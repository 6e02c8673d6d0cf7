-- Every dated moment a person reached a conformed funnel stage, from any system. The stage each
-- source value means comes from the funnel_stage_mapping seed, so editing it moves people
-- between stages with no code change.
--   HubSpot: the hs_lifecyclestage_<stage>_date properties;
--   Salesforce: a lead's creation (record_created/lead) and conversion (lead_converted/true);
--   opportunities: creation (stage opportunity) and a won close (stage won) for every linked person.
-- A moment takes the most precise record of its event: a date-only field (ConvertedDate,
-- CloseDate) is used only when no timestamped record of the same event exists.

with

mapping as (

    select
        source_system,
        source_field,
        lower(source_value) as source_value,
        funnel_stage
    from {{ ref('funnel_stage_mapping') }}

),

people as (

    select * from {{ ref('int_person_records_resolved') }}

),

hubspot_contacts as (

    select * from {{ ref('stg_hubspot__contacts') }}

),

hubspot_lifecycle_dates as (

    {% set lifecycle_columns = {
        'subscriber': 'became_subscriber_at',
        'lead': 'became_lead_at',
        'marketingqualifiedlead': 'became_mql_at',
        'salesqualifiedlead': 'became_sql_at',
        'opportunity': 'became_opportunity_at',
        'customer': 'became_customer_at',
    } %}
    {% for lifecycle_stage, column in lifecycle_columns.items() %}
    select
        'hubspot_contact:' || contact_id as record_key,
        'lifecyclestage' as source_field,
        '{{ lifecycle_stage }}' as source_value,
        {{ column }} as reached_at
    from hubspot_contacts
    where {{ column }} is not null
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

salesforce_lead_dates as (

    select
        'salesforce_lead:' || lead_id as record_key,
        'record_created' as source_field,
        'lead' as source_value,
        created_at as reached_at
    from {{ ref('stg_salesforce__leads') }}

    union all

    select
        'salesforce_lead:' || leads.lead_id as record_key,
        'lead_converted' as source_field,
        'true' as source_value,
        -- ConvertedDate has no time of day, and midnight would put the conversion before an MQL
        -- reached earlier that day. The opportunity, else the contact, a conversion created that
        -- day carries its exact moment; without either, a conversion is no earlier than the
        -- lead's own creation.
        case
            when cast(converted_opportunities.created_at as date) = leads.converted_date
                then converted_opportunities.created_at
            when cast(converted_contacts.created_at as date) = leads.converted_date
                then converted_contacts.created_at
            else greatest(cast(leads.converted_date as {{ dbt.type_timestamp() }}), leads.created_at)
        end as reached_at
    from {{ ref('stg_salesforce__leads') }} as leads
    left join {{ ref('stg_salesforce__opportunities') }} as converted_opportunities
        on leads.converted_opportunity_id = converted_opportunities.opportunity_id
    left join {{ ref('stg_salesforce__contacts') }} as converted_contacts
        on leads.converted_contact_id = converted_contacts.contact_id
    where leads.is_converted
      and leads.converted_date is not null

),

record_events as (

    select 'hubspot' as source_system, * from hubspot_lifecycle_dates
    union all
    select 'salesforce' as source_system, * from salesforce_lead_dates

),

mapped_record_events as (

    select
        people.person_id,
        mapping.funnel_stage,
        record_events.reached_at,
        record_events.source_system,
        record_events.source_field || ':' || record_events.source_value as evidence
    from record_events
    inner join mapping
        on record_events.source_system = mapping.source_system
        and record_events.source_field = mapping.source_field
        and record_events.source_value = mapping.source_value
    inner join people
        on record_events.record_key = people.record_key

),

opportunities as (

    select * from {{ ref('stg_salesforce__opportunities') }}

),

-- The moment an opportunity first entered a won stage (opportunity_stage_mapping.is_won), from its
-- stage history: timestamped, unlike CloseDate.
first_won_moments as (

    select
        history.opportunity_id,
        min(history.created_at) as won_at
    from {{ ref('stg_salesforce__opportunity_history') }} as history
    inner join {{ ref('opportunity_stage_mapping') }} as stages
        on history.stage_name = stages.stage_name
    where stages.is_won
    group by history.opportunity_id

),

opportunity_events as (

    select
        links.person_id,
        'opportunity' as funnel_stage,
        opportunities.created_at as reached_at,
        'salesforce' as source_system,
        'opportunity_created' as evidence
    from {{ ref('int_opportunity_people_linked') }} as links
    inner join opportunities
        on links.opportunity_id = opportunities.opportunity_id

    union all

    select
        links.person_id,
        'won' as funnel_stage,
        -- Without a history row, CloseDate (no time of day): a deal won on its creation day is
        -- won after its creation.
        coalesce(
            first_won_moments.won_at,
            greatest(cast(opportunities.close_date as {{ dbt.type_timestamp() }}), opportunities.created_at)
        ) as reached_at,
        'salesforce' as source_system,
        'opportunity_won' as evidence
    from {{ ref('int_opportunity_people_linked') }} as links
    inner join opportunities
        on links.opportunity_id = opportunities.opportunity_id
    left join first_won_moments
        on opportunities.opportunity_id = first_won_moments.opportunity_id
    where opportunities.is_won

)

select * from mapped_record_events
union all
select * from opportunity_events

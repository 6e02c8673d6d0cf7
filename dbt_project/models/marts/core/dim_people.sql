-- One row per resolved person, the conformed "who" of every fact. Attributes survive from the
-- most authoritative record: a Salesforce contact, else a Salesforce lead, else a HubSpot contact
-- (latest modified first). The original source is HubSpot's (it records the first visit), else
-- Salesforce's lead source.
{{ config(contract=pass_through_contract('dim_people')) }}

with

records as (

    select
        *,
        case record_type
            when 'salesforce_contact' then 1
            when 'salesforce_lead' then 2
            else 3
        end as record_priority
    from {{ ref('int_person_records_resolved') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by person_id
            order by record_priority, modified_at desc nulls last, record_key
        ) as survivor_rank,
        row_number() over (
            partition by person_id, record_type
            order by created_at nulls last, record_key
        ) as type_rank
    from records

),

per_person as (

    select
        person_id,
        max(case when survivor_rank = 1 then identity_key end) as identity_key,
        max(case when survivor_rank = 1 then email end) as survivor_email,
        min(email) as any_email,
        max(case when survivor_rank = 1 then first_name end) as first_name,
        max(case when survivor_rank = 1 then last_name end) as last_name,
        max(case when survivor_rank = 1 then company end) as company,
        max(case when survivor_rank = 1 then title end) as title,
        max(case when record_type = 'salesforce_contact' and type_rank = 1 then source_record_id end) as salesforce_contact_id,
        max(case when record_type = 'salesforce_lead' and type_rank = 1 then source_record_id end) as salesforce_lead_id,
        max(case when record_type = 'hubspot_contact' and type_rank = 1 then source_record_id end) as hubspot_contact_id,
        max(case when record_type = 'salesforce_contact' and type_rank = 1 then source_owner_id end) as salesforce_contact_owner_id,
        max(case when record_type = 'salesforce_lead' and type_rank = 1 then source_owner_id end) as salesforce_lead_owner_id,
        max(case when record_type = 'hubspot_contact' and type_rank = 1 then source_owner_id end) as hubspot_owner_id,
        max(case when record_type = 'salesforce_contact' and type_rank = 1 then source_account_id end) as salesforce_account_id,
        max(case when record_type = 'salesforce_lead' and type_rank = 1 then source_account_id end) as converted_account_id,
        max(case when record_type = 'hubspot_contact' and type_rank = 1 then source_account_id end) as hubspot_company_id,
        max(case when record_type = 'hubspot_contact' and type_rank = 1 then source_value end) as hubspot_source,
        max(case when record_type = 'salesforce_lead' and type_rank = 1 then source_value end) as salesforce_lead_source,
        max(case when record_type = 'salesforce_contact' and type_rank = 1 then source_value end) as salesforce_contact_source,
        count(*) as record_count,
        sum(case when record_type = 'salesforce_lead' then 1 else 0 end) as salesforce_lead_count,
        sum(case when record_type = 'salesforce_contact' then 1 else 0 end) as salesforce_contact_count,
        sum(case when record_type = 'hubspot_contact' then 1 else 0 end) as hubspot_contact_count,
        max(case when resolution_status = 'ambiguous' then 1 else 0 end) as has_ambiguous,
        max(case when resolution_status = 'unmatched' then 1 else 0 end) as has_unmatched,
        min(created_at) as first_seen_at
    from ranked
    group by person_id

),

channels as (

    select source_system, source_field, lower(source_value) as source_value, channel
    from {{ ref('channel_mapping') }}

),

users as (

    select * from {{ ref('int_users_matched') }}

),

accounts as (

    select * from {{ ref('int_accounts_matched') }}

),

with_sources as (

    select
        per_person.*,
        case
            when per_person.hubspot_source is not null then 'hubspot'
            when coalesce(per_person.salesforce_lead_source, per_person.salesforce_contact_source) is not null then 'salesforce'
        end as original_source_system,
        coalesce(
            per_person.hubspot_source,
            per_person.salesforce_lead_source,
            per_person.salesforce_contact_source
        ) as original_source
    from per_person

)

select
    cast(with_sources.person_id as {{ dbt.type_string() }}) as person_id,
    cast(coalesce(with_sources.survivor_email, with_sources.any_email) as {{ dbt.type_string() }}) as email,
    cast(with_sources.first_name as {{ dbt.type_string() }}) as first_name,
    cast(with_sources.last_name as {{ dbt.type_string() }}) as last_name,
    cast(with_sources.company as {{ dbt.type_string() }}) as company,
    cast(with_sources.title as {{ dbt.type_string() }}) as title,
    cast(coalesce(contact_accounts.account_id, lead_accounts.account_id, hubspot_accounts.account_id) as {{ dbt.type_string() }}) as account_id,
    cast(coalesce(contact_owners.user_id, lead_owners.user_id, hubspot_owners.user_id) as {{ dbt.type_string() }}) as owner_id,
    cast(with_sources.original_source_system as {{ dbt.type_string() }}) as original_source_system,
    cast(with_sources.original_source as {{ dbt.type_string() }}) as original_source,
    cast(coalesce(channels.channel, 'Unknown') as {{ dbt.type_string() }}) as channel,
    cast(with_sources.salesforce_lead_id as {{ dbt.type_string() }}) as salesforce_lead_id,
    cast(with_sources.salesforce_contact_id as {{ dbt.type_string() }}) as salesforce_contact_id,
    cast(with_sources.hubspot_contact_id as {{ dbt.type_string() }}) as hubspot_contact_id,
    cast(with_sources.record_count as integer) as record_count,
    cast(with_sources.salesforce_lead_count as integer) as salesforce_lead_count,
    cast(with_sources.salesforce_contact_count as integer) as salesforce_contact_count,
    cast(with_sources.hubspot_contact_count as integer) as hubspot_contact_count,
    cast(
        case
            when with_sources.has_ambiguous = 1 then 'ambiguous'
            when with_sources.has_unmatched = 1 and with_sources.record_count = 1 then 'unmatched'
            else 'resolved'
        end as {{ dbt.type_string() }}
    ) as resolution_status,
    cast(with_sources.first_seen_at as {{ dbt.type_timestamp() }}) as first_seen_at
    {{- pass_through_mart('dim_people', [
        ['salesforce_contact', 'salesforce_contacts'],
        ['salesforce_lead', 'salesforce_leads'],
        ['hubspot_contact', 'hubspot_contacts'],
    ]) }}
from with_sources
left join channels
    on with_sources.original_source_system = channels.source_system
    and channels.source_field = case with_sources.original_source_system
        when 'hubspot' then 'analytics_source' else 'lead_source' end
    and lower(with_sources.original_source) = channels.source_value
left join accounts as contact_accounts
    on with_sources.salesforce_account_id = contact_accounts.salesforce_account_id
left join accounts as lead_accounts
    on with_sources.converted_account_id = lead_accounts.salesforce_account_id
left join accounts as hubspot_accounts
    on with_sources.hubspot_company_id = hubspot_accounts.hubspot_company_id
left join users as contact_owners
    on with_sources.salesforce_contact_owner_id = contact_owners.salesforce_user_id
left join users as lead_owners
    on with_sources.salesforce_lead_owner_id = lead_owners.salesforce_user_id
left join users as hubspot_owners
    on with_sources.hubspot_owner_id = hubspot_owners.hubspot_owner_id
{#- Pass-through fields come from the same record of each type as the ids above. #}
{%- if has_pass_through('dim_people', 'salesforce_contact') %}
left join {{ ref('stg_salesforce__contacts') }} as salesforce_contacts
    on with_sources.salesforce_contact_id = salesforce_contacts.contact_id
{%- endif %}
{%- if has_pass_through('dim_people', 'salesforce_lead') %}
left join {{ ref('stg_salesforce__leads') }} as salesforce_leads
    on with_sources.salesforce_lead_id = salesforce_leads.lead_id
{%- endif %}
{%- if has_pass_through('dim_people', 'hubspot_contact') %}
left join {{ ref('stg_hubspot__contacts') }} as hubspot_contacts
    on with_sources.hubspot_contact_id = hubspot_contacts.contact_id
{%- endif %}

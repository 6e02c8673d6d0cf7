-- One row per person record in any system: Salesforce leads, Salesforce contacts, HubSpot
-- contacts, in one shape, so identity resolution works on a single relation.

with

salesforce_leads as (

    select
        'salesforce_lead:' || lead_id as record_key,
        'salesforce' as source_system,
        'salesforce_lead' as record_type,
        lead_id as source_record_id,
        email,
        first_name,
        last_name,
        company,
        title,
        owner_id as source_owner_id,
        converted_account_id as source_account_id,
        lead_source as source_value,
        lead_status as status_value,
        is_converted,
        case when is_converted then converted_contact_id end as converted_contact_id,
        converted_date,
        created_at,
        system_modstamp as modified_at,
        _dlt_load_id
    from {{ ref('stg_salesforce__leads') }}

),

salesforce_contacts as (

    select
        'salesforce_contact:' || contacts.contact_id as record_key,
        'salesforce' as source_system,
        'salesforce_contact' as record_type,
        contacts.contact_id as source_record_id,
        contacts.email,
        contacts.first_name,
        contacts.last_name,
        accounts.account_name as company,
        contacts.title,
        contacts.owner_id as source_owner_id,
        contacts.account_id as source_account_id,
        contacts.lead_source as source_value,
        cast(null as {{ dbt.type_string() }}) as status_value,
        false as is_converted,
        cast(null as {{ dbt.type_string() }}) as converted_contact_id,
        cast(null as date) as converted_date,
        contacts.created_at,
        contacts.system_modstamp as modified_at,
        contacts._dlt_load_id
    from {{ ref('stg_salesforce__contacts') }} as contacts
    -- A contact's company is its account's name: needed for the name + company fallback.
    left join {{ ref('stg_salesforce__accounts') }} as accounts
        on contacts.account_id = accounts.account_id

),

hubspot_contacts as (

    select
        'hubspot_contact:' || contact_id as record_key,
        'hubspot' as source_system,
        'hubspot_contact' as record_type,
        contact_id as source_record_id,
        email,
        first_name,
        last_name,
        company,
        title,
        owner_id as source_owner_id,
        company_id as source_account_id,
        analytics_source as source_value,
        lifecycle_stage as status_value,
        false as is_converted,
        cast(null as {{ dbt.type_string() }}) as converted_contact_id,
        cast(null as date) as converted_date,
        created_at,
        updated_at as modified_at,
        _dlt_load_id
    from {{ ref('stg_hubspot__contacts') }}

)

select * from salesforce_leads
union all
select * from salesforce_contacts
union all
select * from hubspot_contacts

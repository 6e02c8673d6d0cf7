{%- set relation = source('hubspot', 'email_events') -%}
{%- set types = source_columns(relation) -%}

with

source as (

    select * from {{ relation }}

),

renamed as (

    select
        cast(id as {{ dbt.type_string() }}) as email_event_id,
        {{ epoch_ms_to_timestamp(types, 'created') }} as occurred_at,
        upper(type) as event_type,
        {{ normalize_email('recipient') }} as email,
        cast(email_campaign_id as {{ dbt.type_string() }}) as email_campaign_id,
        cast(portal_id as {{ dbt.type_string() }}) as portal_id,
        _dlt_load_id

    from source

)

select * from renamed

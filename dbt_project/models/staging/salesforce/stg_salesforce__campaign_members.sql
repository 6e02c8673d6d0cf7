{%- set relation = source('salesforce', 'campaign_member') -%}
{%- set types = source_columns(relation) -%}

with

source as (

    select * from {{ relation }}

),

renamed as (

    select
        id as campaign_member_id,
        campaign_id,
        {{ source_column(types, 'lead_id', dbt.type_string()) }} as lead_id,
        {{ source_column(types, 'contact_id', dbt.type_string()) }} as contact_id,
        status as member_status,
        coalesce(has_responded, false) as has_responded,
        {{ to_date(types, 'first_responded_date') }} as first_responded_date,
        {{ to_utc_timestamp(types, 'created_date') }} as created_at,
        {{ to_utc_timestamp(types, 'last_modified_date') }} as last_modified_at,
        {{ to_utc_timestamp(types, 'system_modstamp') }} as system_modstamp,
        _dlt_load_id

    from source
    where not coalesce(is_deleted, false)

)

select * from renamed

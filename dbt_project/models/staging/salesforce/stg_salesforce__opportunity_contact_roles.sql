{%- set relation = source('salesforce', 'opportunity_contact_role') -%}
{%- set types = source_columns(relation) -%}

with

source as (

    select * from {{ relation }}

),

renamed as (

    select
        id as opportunity_contact_role_id,
        opportunity_id,
        contact_id,
        role as contact_role,
        coalesce(is_primary, false) as is_primary,
        {{ to_utc_timestamp(types, 'created_date') }} as created_at,
        {{ to_utc_timestamp(types, 'last_modified_date') }} as last_modified_at,
        {{ to_utc_timestamp(types, 'system_modstamp') }} as system_modstamp,
        _dlt_load_id

    from source
    where not coalesce(is_deleted, false)

)

select * from renamed

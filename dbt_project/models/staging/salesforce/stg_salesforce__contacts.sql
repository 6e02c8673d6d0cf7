{%- set relation = source('salesforce', 'contact') -%}
{%- set types = source_columns(relation) -%}

with

source as (

    select * from {{ relation }}

),

renamed as (

    select
        id as contact_id,
        account_id,
        first_name,
        last_name,
        {{ normalize_email('email') }} as email,
        title,
        lead_source,
        owner_id,
        {{ to_utc_timestamp(types, 'created_date') }} as created_at,
        {{ to_utc_timestamp(types, 'last_modified_date') }} as last_modified_at,
        {{ to_utc_timestamp(types, 'system_modstamp') }} as system_modstamp,
        {{- pass_through_staging(types, 'dim_people', 'salesforce_contact') }}
        _dlt_load_id

    from source
    where not coalesce(is_deleted, false)

)

select * from renamed

{%- set relation = source('salesforce', 'lead') -%}
{%- set types = source_columns(relation) -%}

with

source as (

    select * from {{ relation }}

),

renamed as (

    select
        id as lead_id,
        first_name,
        last_name,
        {{ normalize_email('email') }} as email,
        company,
        title,
        country,
        status as lead_status,
        lead_source,
        coalesce(is_converted, false) as is_converted,
        {{ to_date(types, 'converted_date') }} as converted_date,
        {{ source_column(types, 'converted_contact_id', dbt.type_string()) }} as converted_contact_id,
        {{ source_column(types, 'converted_account_id', dbt.type_string()) }} as converted_account_id,
        {{ source_column(types, 'converted_opportunity_id', dbt.type_string()) }} as converted_opportunity_id,
        owner_id,
        {{ to_utc_timestamp(types, 'created_date') }} as created_at,
        {{ to_utc_timestamp(types, 'last_modified_date') }} as last_modified_at,
        {{ to_utc_timestamp(types, 'system_modstamp') }} as system_modstamp,
        {{- pass_through_staging(types, 'dim_people', 'salesforce_lead') }}
        _dlt_load_id

    from source
    where not coalesce(is_deleted, false)

)

select * from renamed

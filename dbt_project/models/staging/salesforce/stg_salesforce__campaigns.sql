{%- set relation = source('salesforce', 'campaign') -%}
{%- set types = source_columns(relation) -%}

with

source as (

    select * from {{ relation }}

),

renamed as (

    select
        id as campaign_id,
        name as campaign_name,
        type as campaign_type,
        status as campaign_status,
        {{ to_date(types, 'start_date') }} as start_date,
        {{ to_date(types, 'end_date') }} as end_date,
        cast(budgeted_cost as {{ dbt.type_numeric() }}) as budgeted_cost,
        cast(actual_cost as {{ dbt.type_numeric() }}) as actual_cost,
        is_active,
        owner_id,
        upper(currency_iso_code) as currency_code,
        {{ to_utc_timestamp(types, 'created_date') }} as created_at,
        {{ to_utc_timestamp(types, 'last_modified_date') }} as last_modified_at,
        {{ to_utc_timestamp(types, 'system_modstamp') }} as system_modstamp,
        _dlt_load_id

    from source
    where not coalesce(is_deleted, false)

)

select * from renamed

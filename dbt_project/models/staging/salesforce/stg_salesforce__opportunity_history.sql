{%- set relation = source('salesforce', 'opportunity_history') -%}
{%- set types = source_columns(relation) -%}

with

source as (

    select * from {{ relation }}

),

renamed as (

    select
        id as opportunity_history_id,
        opportunity_id,
        stage_name,
        cast(amount as {{ dbt.type_numeric() }}) as amount,
        {{ to_date(types, 'close_date') }} as close_date,
        cast(probability as {{ dbt.type_numeric() }}) as probability,
        created_by_id,
        {{ to_utc_timestamp(types, 'created_date') }} as created_at,
        {{ to_utc_timestamp(types, 'last_modified_date') }} as last_modified_at,
        {{ to_utc_timestamp(types, 'system_modstamp') }} as system_modstamp,
        _dlt_load_id

    from source
    where not coalesce(is_deleted, false)

)

select * from renamed

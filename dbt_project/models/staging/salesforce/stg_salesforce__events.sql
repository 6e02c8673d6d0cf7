{%- set relation = source('salesforce', 'event') -%}
{%- set types = source_columns(relation) -%}

with

source as (

    select * from {{ relation }}

),

renamed as (

    select
        id as event_id,
        {{ source_column(types, 'who_id', dbt.type_string()) }} as who_id,
        {{ source_column(types, 'what_id', dbt.type_string()) }} as what_id,
        owner_id,
        subject,
        type as event_type,
        {{ to_date(types, 'activity_date') }} as activity_date,
        {{ to_utc_timestamp(types, 'activity_date_time') }} as activity_at,
        cast(duration_in_minutes as {{ dbt.type_int() }}) as duration_minutes,
        {{ to_utc_timestamp(types, 'created_date') }} as created_at,
        {{ to_utc_timestamp(types, 'last_modified_date') }} as last_modified_at,
        {{ to_utc_timestamp(types, 'system_modstamp') }} as system_modstamp,
        _dlt_load_id

    from source
    where not coalesce(is_deleted, false)

)

select * from renamed

{%- set relation = source('hubspot', 'forms') -%}
{%- set types = source_columns(relation) -%}

with

source as (

    select * from {{ relation }}

),

renamed as (

    select
        cast(id as {{ dbt.type_string() }}) as form_id,
        name as form_name,
        form_type,
        {{ to_utc_timestamp(types, 'created_at') }} as created_at,
        {{ to_utc_timestamp(types, 'updated_at') }} as updated_at,
        _dlt_load_id

    from source
    where not coalesce(archived, false)

)

select * from renamed

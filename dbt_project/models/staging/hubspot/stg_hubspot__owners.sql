{%- set relation = source('hubspot', 'owners') -%}
{%- set types = source_columns(relation) -%}

with

source as (

    select * from {{ relation }}

),

renamed as (

    select
        cast(id as {{ dbt.type_string() }}) as owner_id,
        {{ normalize_email('email') }} as email,
        first_name,
        last_name,
        cast(user_id as {{ dbt.type_string() }}) as hubspot_user_id,
        {{ to_utc_timestamp(types, 'created_at') }} as created_at,
        {{ to_utc_timestamp(types, 'updated_at') }} as updated_at,
        _dlt_load_id

    from source
    where not coalesce(archived, false)

)

select * from renamed

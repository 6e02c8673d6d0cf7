{%- set relation = source('hubspot', 'form_submissions') -%}
{%- set types = source_columns(relation) -%}

with

source as (

    select * from {{ relation }}

),

renamed as (

    select
        cast(conversion_id as {{ dbt.type_string() }}) as conversion_id,
        cast(form_id as {{ dbt.type_string() }}) as form_id,
        {{ epoch_ms_to_timestamp(types, 'submitted_at') }} as submitted_at,
        {{ normalize_email(source_column(types, 'email', dbt.type_string())) }} as email,
        {{ source_column(types, 'page_url', dbt.type_string()) }} as page_url,
        _dlt_load_id

    from source

)

select * from renamed

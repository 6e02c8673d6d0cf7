{%- set relation = source('hubspot', 'marketing_emails') -%}
{%- set types = source_columns(relation) -%}

with

source as (

    select * from {{ relation }}

),

renamed as (

    select
        cast(id as {{ dbt.type_string() }}) as marketing_email_id,
        name as email_name,
        subject,
        cast({{ source_column(types, 'campaign', dbt.type_string()) }} as {{ dbt.type_string() }}) as campaign_id,
        state as email_state,
        {{ to_utc_timestamp(types, 'publish_date') }} as published_at,
        {{ to_utc_timestamp(types, 'created_at') }} as created_at,
        {{ to_utc_timestamp(types, 'updated_at') }} as updated_at,
        _dlt_load_id

    from source
    where not coalesce(archived, false)

)

select * from renamed

{%- set relation = source('hubspot', 'companies') -%}
{%- set types = source_columns(relation) -%}

with

source as (

    select * from {{ relation }}

),

renamed as (

    select
        cast(id as {{ dbt.type_string() }}) as company_id,
        name as company_name,
        lower(trim(domain)) as domain,
        industry,
        cast(numberofemployees as {{ dbt.type_int() }}) as number_of_employees,
        country,
        cast({{ source_column(types, 'hubspot_owner_id', dbt.type_string()) }} as {{ dbt.type_string() }}) as owner_id,
        {{ to_utc_timestamp(types, 'created_at') }} as created_at,
        {{ to_utc_timestamp(types, 'updated_at') }} as updated_at,
        {{- pass_through_staging(types, 'dim_accounts', 'hubspot_company') }}
        _dlt_load_id

    from source
    where not coalesce(archived, false)

)

select * from renamed

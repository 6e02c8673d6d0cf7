{%- set relation = source('salesforce', 'account') -%}
{%- set types = source_columns(relation) -%}

with

source as (

    select * from {{ relation }}

),

renamed as (

    select
        id as account_id,
        name as account_name,
        website,
        industry,
        cast(number_of_employees as {{ dbt.type_int() }}) as number_of_employees,
        cast(annual_revenue as {{ dbt.type_numeric() }}) as annual_revenue,
        billing_country,
        type as account_type,
        owner_id,
        upper(currency_iso_code) as currency_code,
        {{ to_utc_timestamp(types, 'created_date') }} as created_at,
        {{ to_utc_timestamp(types, 'last_modified_date') }} as last_modified_at,
        {{ to_utc_timestamp(types, 'system_modstamp') }} as system_modstamp,
        {{- pass_through_staging(types, 'dim_accounts', 'salesforce_account') }}
        _dlt_load_id

    from source
    where not coalesce(is_deleted, false)

)

select * from renamed

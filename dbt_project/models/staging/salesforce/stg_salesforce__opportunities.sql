{%- set relation = source('salesforce', 'opportunity') -%}
{%- set types = source_columns(relation) -%}

with

source as (

    select * from {{ relation }}

),

renamed as (

    select
        id as opportunity_id,
        account_id,
        name as opportunity_name,
        type as opportunity_type,
        stage_name,
        cast(amount as {{ dbt.type_numeric() }}) as amount,
        upper(currency_iso_code) as currency_code,
        {{ to_date(types, 'close_date') }} as close_date,
        coalesce(is_closed, false) as is_closed,
        coalesce(is_won, false) as is_won,
        cast(probability as {{ dbt.type_numeric() }}) as probability,
        lead_source,
        {{ source_column(types, 'campaign_id', dbt.type_string()) }} as campaign_id,
        owner_id,
        {{ to_utc_timestamp(types, 'created_date') }} as created_at,
        {{ to_utc_timestamp(types, 'last_modified_date') }} as last_modified_at,
        {{ to_utc_timestamp(types, 'system_modstamp') }} as system_modstamp,
        {{- pass_through_staging(types, 'fct_opportunities', 'salesforce_opportunity') }}
        _dlt_load_id

    from source
    where not coalesce(is_deleted, false)

)

select * from renamed

{%- set relation = source('hubspot', 'campaigns') -%}
{%- set types = source_columns(relation) -%}

with

source as (

    select * from {{ relation }}

),

renamed as (

    select
        cast(id as {{ dbt.type_string() }}) as campaign_id,
        hs_name as campaign_name,
        {{ to_date(types, 'hs_start_date') }} as start_date,
        {{ to_date(types, 'hs_end_date') }} as end_date,
        {{ source_column(types, 'hs_goal', dbt.type_string()) }} as goal,
        cast(nullif(cast({{ source_column(types, 'hs_budget_items_sum_amount', dbt.type_string()) }} as {{ dbt.type_string() }}), '') as {{ dbt.type_numeric() }}) as budget_amount,
        upper(hs_currency_code) as currency_code,
        {{ to_utc_timestamp(types, 'created_at') }} as created_at,
        {{ to_utc_timestamp(types, 'updated_at') }} as updated_at,
        _dlt_load_id

    from source
    where not coalesce(archived, false)

)

select * from renamed

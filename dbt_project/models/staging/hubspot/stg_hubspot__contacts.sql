{%- set relation = source('hubspot', 'contacts') -%}
{%- set types = source_columns(relation) -%}

with

source as (

    select * from {{ relation }}

),

renamed as (

    select
        cast(id as {{ dbt.type_string() }}) as contact_id,
        {{ normalize_email('email') }} as email,
        firstname as first_name,
        lastname as last_name,
        company,
        jobtitle as title,
        lower(lifecyclestage) as lifecycle_stage,
        {{ to_utc_timestamp(types, 'hs_lifecyclestage_subscriber_date') }} as became_subscriber_at,
        {{ to_utc_timestamp(types, 'hs_lifecyclestage_lead_date') }} as became_lead_at,
        {{ to_utc_timestamp(types, 'hs_lifecyclestage_marketingqualifiedlead_date') }} as became_mql_at,
        {{ to_utc_timestamp(types, 'hs_lifecyclestage_salesqualifiedlead_date') }} as became_sql_at,
        {{ to_utc_timestamp(types, 'hs_lifecyclestage_opportunity_date') }} as became_opportunity_at,
        {{ to_utc_timestamp(types, 'hs_lifecyclestage_customer_date') }} as became_customer_at,
        upper(hs_analytics_source) as analytics_source,
        {{ source_column(types, 'hs_analytics_source_data_1', dbt.type_string()) }} as analytics_source_detail,
        cast({{ source_column(types, 'hubspot_owner_id', dbt.type_string()) }} as {{ dbt.type_string() }}) as owner_id,
        cast({{ source_column(types, 'associatedcompanyid', dbt.type_string()) }} as {{ dbt.type_string() }}) as company_id,
        {{ to_utc_timestamp(types, 'created_at') }} as created_at,
        {{ to_utc_timestamp(types, 'updated_at') }} as updated_at,
        {{- pass_through_staging(types, 'dim_people', 'hubspot_contact') }}
        _dlt_load_id

    from source
    where not coalesce(archived, false)

)

select * from renamed

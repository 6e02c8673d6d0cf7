-- Companies once: Salesforce accounts and HubSpot companies matched on web domain.
{{ config(contract=pass_through_contract('dim_accounts')) }}

with

accounts as (

    select * from {{ ref('int_accounts_matched') }}

),

users as (

    select * from {{ ref('int_users_matched') }}

)

select
    cast(accounts.account_id as {{ dbt.type_string() }}) as account_id,
    cast(accounts.account_name as {{ dbt.type_string() }}) as account_name,
    cast(accounts.domain as {{ dbt.type_string() }}) as domain,
    cast(accounts.industry as {{ dbt.type_string() }}) as industry,
    cast(accounts.number_of_employees as integer) as number_of_employees,
    cast(accounts.annual_revenue as numeric(28, 2)) as annual_revenue,
    cast(accounts.country as {{ dbt.type_string() }}) as country,
    cast(accounts.account_type as {{ dbt.type_string() }}) as account_type,
    cast(coalesce(salesforce_owners.user_id, hubspot_owners.user_id) as {{ dbt.type_string() }}) as owner_id,
    cast(accounts.salesforce_account_id as {{ dbt.type_string() }}) as salesforce_account_id,
    cast(accounts.hubspot_company_id as {{ dbt.type_string() }}) as hubspot_company_id,
    cast(accounts.created_at as {{ dbt.type_timestamp() }}) as created_at
    {{- pass_through_mart('dim_accounts', [['salesforce_account', 'salesforce_accounts'], ['hubspot_company', 'hubspot_companies']]) }}
from accounts
left join users as salesforce_owners
    on accounts.salesforce_owner_id = salesforce_owners.salesforce_user_id
left join users as hubspot_owners
    on accounts.hubspot_owner_id = hubspot_owners.hubspot_owner_id
{%- if has_pass_through('dim_accounts', 'salesforce_account') %}
left join {{ ref('stg_salesforce__accounts') }} as salesforce_accounts
    on accounts.salesforce_account_id = salesforce_accounts.account_id
{%- endif %}
{%- if has_pass_through('dim_accounts', 'hubspot_company') %}
left join {{ ref('stg_hubspot__companies') }} as hubspot_companies
    on accounts.hubspot_company_id = hubspot_companies.company_id
{%- endif %}

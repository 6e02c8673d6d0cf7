-- Companies once: Salesforce accounts and HubSpot companies matched on web domain.

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
from accounts
left join users as salesforce_owners
    on accounts.salesforce_owner_id = salesforce_owners.salesforce_user_id
left join users as hubspot_owners
    on accounts.hubspot_owner_id = hubspot_owners.hubspot_owner_id

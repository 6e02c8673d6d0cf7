-- Salesforce accounts and HubSpot companies matched on their web domain; a company only in
-- HubSpot stands alone. Several records sharing a domain in one system pair off in id order.

with

salesforce as (

    select
        *,
        {{ web_domain('website') }} as domain_key
    from {{ ref('stg_salesforce__accounts') }}

),

salesforce_ranked as (

    select
        *,
        row_number() over (partition by domain_key order by account_id) as domain_rank
    from salesforce

),

hubspot as (

    select
        *,
        {{ web_domain('domain') }} as domain_key
    from {{ ref('stg_hubspot__companies') }}

),

hubspot_ranked as (

    select
        *,
        row_number() over (partition by domain_key order by company_id) as domain_rank
    from hubspot

)

select
    coalesce(salesforce.account_id, 'hubspot_company:' || hubspot.company_id) as account_id,
    coalesce(salesforce.account_name, hubspot.company_name) as account_name,
    coalesce(salesforce.domain_key, hubspot.domain_key) as domain,
    coalesce(salesforce.industry, hubspot.industry) as industry,
    coalesce(salesforce.number_of_employees, hubspot.number_of_employees) as number_of_employees,
    salesforce.annual_revenue,
    coalesce(salesforce.billing_country, hubspot.country) as country,
    salesforce.account_type,
    salesforce.currency_code,
    salesforce.owner_id as salesforce_owner_id,
    hubspot.owner_id as hubspot_owner_id,
    salesforce.account_id as salesforce_account_id,
    hubspot.company_id as hubspot_company_id,
    coalesce(salesforce.created_at, hubspot.created_at) as created_at
from salesforce_ranked as salesforce
full outer join hubspot_ranked as hubspot
    on salesforce.domain_key = hubspot.domain_key
    and salesforce.domain_rank = hubspot.domain_rank

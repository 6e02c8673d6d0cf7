-- One conformed campaign across Salesforce and HubSpot, costs in the reporting currency
-- (var reporting_currency, rates from the currency_rates seed). Budget: Salesforce BudgetedCost,
-- else HubSpot's budget total; actual cost: Salesforce ActualCost (HubSpot records none).

with

campaigns as (

    select * from {{ ref('int_campaigns_matched') }}

),

rates as (

    select upper(currency_code) as currency_code, rate
    from {{ ref('currency_rates') }}
    where upper(reporting_currency) = upper('{{ var("reporting_currency") }}')

)

select
    cast(campaigns.campaign_id as {{ dbt.type_string() }}) as campaign_id,
    cast(campaigns.campaign_name as {{ dbt.type_string() }}) as campaign_name,
    cast(campaigns.campaign_type as {{ dbt.type_string() }}) as campaign_type,
    cast(campaigns.campaign_status as {{ dbt.type_string() }}) as campaign_status,
    cast(campaigns.channel as {{ dbt.type_string() }}) as channel,
    cast(campaigns.start_date as date) as start_date,
    cast(campaigns.end_date as date) as end_date,
    cast(
        coalesce(
            campaigns.salesforce_budgeted_cost * salesforce_rates.rate,
            campaigns.hubspot_budget_amount * hubspot_rates.rate
        ) as numeric(18, 2)
    ) as budgeted_cost,
    cast(campaigns.salesforce_actual_cost * salesforce_rates.rate as numeric(18, 2)) as actual_cost,
    cast('{{ var("reporting_currency") }}' as {{ dbt.type_string() }}) as reporting_currency,
    cast(campaigns.salesforce_campaign_id as {{ dbt.type_string() }}) as salesforce_campaign_id,
    cast(campaigns.hubspot_campaign_id as {{ dbt.type_string() }}) as hubspot_campaign_id
from campaigns
left join rates as salesforce_rates
    on campaigns.salesforce_currency_code = salesforce_rates.currency_code
left join rates as hubspot_rates
    on campaigns.hubspot_currency_code = hubspot_rates.currency_code

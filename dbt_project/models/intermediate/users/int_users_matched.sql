-- Salesforce users and HubSpot owners are the same reps and marketers: matched by email.

with

salesforce as (

    select * from {{ ref('stg_salesforce__users') }}

),

hubspot as (

    select * from {{ ref('stg_hubspot__owners') }}

),

matched as (

    select
        coalesce(
            'email:' || coalesce(salesforce.email, hubspot.email),
            'salesforce_user:' || salesforce.user_id,
            'hubspot_owner:' || hubspot.owner_id
        ) as identity_key,
        coalesce(salesforce.email, hubspot.email) as email,
        coalesce(salesforce.first_name, hubspot.first_name) as first_name,
        coalesce(salesforce.last_name, hubspot.last_name) as last_name,
        salesforce.department,
        salesforce.title,
        coalesce(salesforce.is_active, true) as is_active,
        salesforce.user_id as salesforce_user_id,
        hubspot.owner_id as hubspot_owner_id
    from salesforce
    full outer join hubspot
        on salesforce.email = hubspot.email

)

select
    {{ dbt.hash('identity_key') }} as user_id,
    matched.*
from matched

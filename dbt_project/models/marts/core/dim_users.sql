-- Reps and marketers once: Salesforce users and HubSpot owners matched by email.

select
    cast(user_id as {{ dbt.type_string() }}) as user_id,
    cast(email as {{ dbt.type_string() }}) as email,
    cast(first_name as {{ dbt.type_string() }}) as first_name,
    cast(last_name as {{ dbt.type_string() }}) as last_name,
    cast(trim(coalesce(first_name, '') || ' ' || coalesce(last_name, '')) as {{ dbt.type_string() }}) as full_name,
    cast(department as {{ dbt.type_string() }}) as department,
    cast(title as {{ dbt.type_string() }}) as title,
    cast(is_active as boolean) as is_active,
    cast(salesforce_user_id as {{ dbt.type_string() }}) as salesforce_user_id,
    cast(hubspot_owner_id as {{ dbt.type_string() }}) as hubspot_owner_id
from {{ ref('int_users_matched') }}

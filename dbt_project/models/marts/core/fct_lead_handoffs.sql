-- One row per person who became an MQL: how long sales took to log a first Task or Event on any
-- of the person's Salesforce leads or contacts after the MQL moment, whether that met the SLA
-- (var handoff_sla_hours) and who was never followed up. Activity logged before the MQL moment is
-- prospecting, not a hand-off response, and does not count.

with

mqls as (

    select person_id, mql_at, owner_id, channel
    from {{ ref('fct_funnel') }}
    where mql_at is not null

),

people as (

    select record_key, person_id
    from {{ ref('int_person_records_resolved') }}
    where record_type in ('salesforce_lead', 'salesforce_contact')

),

activities as (

    select
        'task' as activity_type,
        task_id as activity_id,
        who_id,
        owner_id,
        created_at as activity_at
    from {{ ref('stg_salesforce__tasks') }}
    where who_id is not null

    union all

    select
        'event' as activity_type,
        event_id as activity_id,
        who_id,
        owner_id,
        coalesce(activity_at, created_at) as activity_at
    from {{ ref('stg_salesforce__events') }}
    where who_id is not null

),

-- WhoId's key prefix says whether it names a lead (00Q) or a contact (003).
person_activities as (

    select
        people.person_id,
        activities.activity_type,
        activities.activity_id,
        activities.owner_id,
        activities.activity_at
    from activities
    inner join people
        on people.record_key = case
            when activities.who_id like '00Q%' then 'salesforce_lead:' || activities.who_id
            else 'salesforce_contact:' || activities.who_id
        end

),

after_mql as (

    select
        mqls.person_id,
        person_activities.activity_type,
        person_activities.owner_id,
        person_activities.activity_at,
        row_number() over (
            partition by mqls.person_id
            order by person_activities.activity_at, person_activities.activity_id
        ) as activity_rank
    from mqls
    inner join person_activities
        on mqls.person_id = person_activities.person_id
    where person_activities.activity_at >= mqls.mql_at

),

first_activities as (

    select * from after_mql where activity_rank = 1

),

users as (

    select user_id, salesforce_user_id
    from {{ ref('dim_users') }}

),

measured as (

    select
        mqls.person_id,
        mqls.mql_at,
        mqls.owner_id,
        mqls.channel,
        first_activities.activity_at as first_sales_activity_at,
        first_activities.activity_type as first_sales_activity_type,
        users.user_id as first_sales_activity_owner_id,
        {{ hours_between('mqls.mql_at', 'first_activities.activity_at') }} as hours_to_first_activity
    from mqls
    left join first_activities
        on mqls.person_id = first_activities.person_id
    left join users
        on first_activities.owner_id = users.salesforce_user_id

)

select
    cast(person_id as {{ dbt.type_string() }}) as person_id,
    cast(mql_at as {{ dbt.type_timestamp() }}) as mql_at,
    cast(owner_id as {{ dbt.type_string() }}) as owner_id,
    cast(channel as {{ dbt.type_string() }}) as channel,
    cast(first_sales_activity_at as {{ dbt.type_timestamp() }}) as first_sales_activity_at,
    cast(first_sales_activity_type as {{ dbt.type_string() }}) as first_sales_activity_type,
    cast(first_sales_activity_owner_id as {{ dbt.type_string() }}) as first_sales_activity_owner_id,
    cast(hours_to_first_activity as numeric(18, 2)) as hours_to_first_activity,
    cast({{ var('handoff_sla_hours') }} as integer) as sla_hours,
    cast(
        coalesce(hours_to_first_activity <= {{ var('handoff_sla_hours') }}, false) as boolean
    ) as sla_met,
    cast(first_sales_activity_at is null as boolean) as never_followed_up
from measured

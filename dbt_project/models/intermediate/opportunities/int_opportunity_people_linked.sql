-- Every person tied to an opportunity: its contact roles (OpportunityContactRole) and the lead
-- converted into it (Lead.ConvertedOpportunityId). One row per opportunity and person; exactly one
-- primary person per opportunity that has any: the primary contact role, else the converted lead,
-- else the earliest contact role.

with

people as (

    select record_key, person_id
    from {{ ref('int_person_records_resolved') }}

),

opportunities as (

    select opportunity_id
    from {{ ref('stg_salesforce__opportunities') }}

),

contact_roles as (

    select
        roles.opportunity_id,
        people.person_id,
        'contact_role' as link_type,
        case when roles.is_primary then 1 else 3 end as link_priority,
        roles.created_at as linked_at
    from {{ ref('stg_salesforce__opportunity_contact_roles') }} as roles
    inner join people
        on people.record_key = 'salesforce_contact:' || roles.contact_id

),

converted_leads as (

    select
        leads.converted_opportunity_id as opportunity_id,
        people.person_id,
        'converted_lead' as link_type,
        2 as link_priority,
        cast(leads.converted_date as {{ dbt.type_timestamp() }}) as linked_at
    from {{ ref('stg_salesforce__leads') }} as leads
    inner join people
        on people.record_key = 'salesforce_lead:' || leads.lead_id
    where leads.is_converted
      and leads.converted_opportunity_id is not null

),

links as (

    select * from contact_roles
    union all
    select * from converted_leads

),

per_person as (

    select
        links.opportunity_id,
        links.person_id,
        min(links.link_priority) as link_priority,
        max(case when links.link_type = 'contact_role' then 1 else 0 end) as has_contact_role,
        max(case when links.link_type = 'converted_lead' then 1 else 0 end) as is_converted_lead,
        min(links.linked_at) as linked_at
    from links
    inner join opportunities
        on links.opportunity_id = opportunities.opportunity_id
    group by links.opportunity_id, links.person_id

),

ranked as (

    select
        *,
        row_number() over (
            partition by opportunity_id
            order by link_priority, linked_at nulls last, person_id
        ) as person_rank
    from per_person

)

select
    opportunity_id,
    person_id,
    person_rank = 1 as is_primary,
    has_contact_role = 1 as has_contact_role,
    is_converted_lead = 1 as is_converted_lead,
    linked_at
from ranked

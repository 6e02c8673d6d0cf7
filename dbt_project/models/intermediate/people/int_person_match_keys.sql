-- Everything a touch or an activity can carry to name its person, mapped to the person:
-- `email:<address>` and the record keys `salesforce_lead:<Id>` / `salesforce_contact:<Id>` /
-- `hubspot_contact:<id>`. One row per key.

with

resolved as (

    select * from {{ ref('int_person_records_resolved') }}

),

by_record as (

    select record_key as match_key, person_id
    from resolved

),

-- Resolution gives every record with one email the same person; min() only guards that.
by_email as (

    select 'email:' || email as match_key, min(person_id) as person_id
    from resolved
    where email is not null
    group by email

)

select * from by_record
union all
select * from by_email

-- Identity resolution: every person record (Salesforce lead or contact, HubSpot contact) gets the
-- person_id of the one human it describes. Rules, in order (see _people__models.yml):
--   1. a converted lead follows the contact it was converted into, whatever email it had;
--   2. a record with an email belongs to the person of that normalized email, where an email a
--      converted lead used is an alias of its contact's person;
--   3. a record without an email joins the person whose email-matched records share its exact
--      first name + last name + company, when exactly one such person exists; records without an
--      email that no email-matched person claims are merged with each other on that same key;
--   4. anything else stays a person of its own, marked unmatched (no candidate) or ambiguous
--      (several candidates): kept and counted, never dropped.
-- Only equality joins and group-bys: linear in the number of records.
-- A table, not a view: every people, touch and opportunity model reads it.
{{ config(materialized='table') }}

with

records as (

    select
        *,
        case
            when trim(first_name) <> '' and trim(last_name) <> '' and trim(company) <> ''
                then lower(trim(first_name)) || '|' || lower(trim(last_name)) || '|' || lower(trim(company))
        end as name_company_key
    from {{ ref('int_person_records_unioned') }}

),

contacts as (

    select
        record_key as contact_record_key,
        source_record_id as contact_id,
        email as contact_email
    from records
    where record_type = 'salesforce_contact'

),

-- Rule 1: converted leads whose contact still exists.
converted_leads as (

    select
        records.record_key,
        records.email as lead_email,
        contacts.contact_record_key,
        contacts.contact_email
    from records
    inner join contacts
        on records.converted_contact_id = contacts.contact_id
    where records.record_type = 'salesforce_lead'

),

-- Rule 2's aliases: the lead's email means the contact's person.
email_aliases as (

    select
        lead_email as email,
        min(coalesce('email:' || contact_email, contact_record_key)) as alias_key,
        count(distinct coalesce('email:' || contact_email, contact_record_key)) as alias_candidates
    from converted_leads
    where lead_email is not null
      and lead_email <> coalesce(contact_email, '')
    group by lead_email

),

standalone as (

    select records.*
    from records
    left join converted_leads
        on records.record_key = converted_leads.record_key
    where converted_leads.record_key is null

),

-- Rule 2.
email_matched as (

    select
        standalone.record_key,
        standalone.name_company_key,
        coalesce(email_aliases.alias_key, 'email:' || standalone.email) as identity_key,
        case when email_aliases.email is null then 'email' else 'email_alias' end as resolution_method,
        case when email_aliases.alias_candidates > 1 then 'ambiguous' else 'resolved' end as resolution_status
    from standalone
    left join email_aliases
        on standalone.email = email_aliases.email
    where standalone.email is not null

),

name_company_candidates as (

    select
        name_company_key,
        min(identity_key) as identity_key,
        count(distinct identity_key) as candidates
    from email_matched
    where name_company_key is not null
    group by name_company_key

),

no_email_groups as (

    select
        name_company_key,
        count(*) as records
    from standalone
    where email is null
      and name_company_key is not null
    group by name_company_key

),

-- Rules 3 and 4.
no_email as (

    select
        standalone.record_key,
        standalone.name_company_key,
        case
            when name_company_candidates.candidates = 1 then name_company_candidates.identity_key
            when name_company_candidates.candidates > 1 then standalone.record_key
            when no_email_groups.records > 1 then 'name_company:' || standalone.name_company_key
            else standalone.record_key
        end as identity_key,
        case
            when name_company_candidates.candidates = 1 then 'name_company'
            when name_company_candidates.candidates > 1 then 'none'
            when no_email_groups.records > 1 then 'name_company'
            else 'none'
        end as resolution_method,
        case
            when name_company_candidates.candidates = 1 then 'resolved'
            when name_company_candidates.candidates > 1 then 'ambiguous'
            when no_email_groups.records > 1 then 'resolved'
            else 'unmatched'
        end as resolution_status
    from standalone
    left join name_company_candidates
        on standalone.name_company_key = name_company_candidates.name_company_key
    left join no_email_groups
        on standalone.name_company_key = no_email_groups.name_company_key
    where standalone.email is null

),

standalone_resolved as (

    select * from email_matched
    union all
    select * from no_email

),

-- Rule 1, applied after the contact itself is resolved.
following_contact as (

    select
        converted_leads.record_key,
        cast(null as {{ dbt.type_string() }}) as name_company_key,
        standalone_resolved.identity_key,
        'converted_lead' as resolution_method,
        'resolved' as resolution_status
    from converted_leads
    inner join standalone_resolved
        on converted_leads.contact_record_key = standalone_resolved.record_key

),

resolved as (

    select record_key, identity_key, resolution_method, resolution_status from standalone_resolved
    union all
    select record_key, identity_key, resolution_method, resolution_status from following_contact

)

select
    {{ dbt.hash('resolved.identity_key') }} as person_id,
    resolved.identity_key,
    resolved.resolution_method,
    resolved.resolution_status,
    records.record_key,
    records.source_system,
    records.record_type,
    records.source_record_id,
    records.email,
    records.first_name,
    records.last_name,
    records.company,
    records.title,
    records.source_owner_id,
    records.source_account_id,
    records.source_value,
    records.status_value,
    records.is_converted,
    records.converted_contact_id,
    records.converted_date,
    records.created_at,
    records.modified_at,
    records._dlt_load_id
from records
inner join resolved
    on records.record_key = resolved.record_key

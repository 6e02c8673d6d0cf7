-- Every marketing touch from both systems in one shape, before person and campaign are attached:
-- HubSpot email engagement (the event types email_event_touch_types marks as touches), HubSpot
-- form submissions, and Salesforce campaign responses.
-- match_key is what ties the touch to a person: an email, or a Salesforce lead/contact record key.
-- An email event reaches its campaign through the send it names (stg_hubspot__email_sends).

with

email_touch_types as (

    select upper(event_type) as event_type, touch_type
    from {{ ref('email_event_touch_types') }}
    where is_touch

),

email_engagement as (

    select
        'hubspot_email_event:' || events.email_event_id as touch_id,
        'hubspot' as source_system,
        email_touch_types.touch_type,
        events.occurred_at as touched_at,
        'email:' || events.email as match_key,
        emails.campaign_id as hubspot_campaign_id,
        cast(null as {{ dbt.type_string() }}) as salesforce_campaign_id,
        sends.marketing_email_id as source_detail_id,
        events._dlt_load_id
    from {{ ref('stg_hubspot__email_events') }} as events
    inner join email_touch_types
        on events.event_type = email_touch_types.event_type
    -- an event names the send (emailCampaignId); the send names the marketing email
    left join {{ ref('stg_hubspot__email_sends') }} as sends
        on events.email_campaign_id = sends.send_id
    left join {{ ref('stg_hubspot__marketing_emails') }} as emails
        on sends.marketing_email_id = emails.marketing_email_id

),

form_fills as (

    select
        'hubspot_form_submission:' || conversion_id as touch_id,
        'hubspot' as source_system,
        'form_fill' as touch_type,
        submitted_at as touched_at,
        'email:' || email as match_key,
        cast(null as {{ dbt.type_string() }}) as hubspot_campaign_id,
        cast(null as {{ dbt.type_string() }}) as salesforce_campaign_id,
        form_id as source_detail_id,
        _dlt_load_id
    from {{ ref('stg_hubspot__form_submissions') }}

),

campaign_responses as (

    select
        'salesforce_campaign_member:' || campaign_member_id as touch_id,
        'salesforce' as source_system,
        'campaign_response' as touch_type,
        cast(first_responded_date as {{ dbt.type_timestamp() }}) as touched_at,
        case
            when contact_id is not null then 'salesforce_contact:' || contact_id
            else 'salesforce_lead:' || lead_id
        end as match_key,
        cast(null as {{ dbt.type_string() }}) as hubspot_campaign_id,
        campaign_id as salesforce_campaign_id,
        campaign_id as source_detail_id,
        _dlt_load_id
    from {{ ref('stg_salesforce__campaign_members') }}
    where has_responded
      and first_responded_date is not null

)

select * from email_engagement
union all
select * from form_fills
union all
select * from campaign_responses

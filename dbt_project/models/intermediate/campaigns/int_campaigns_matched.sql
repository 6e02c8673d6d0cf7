-- One conformed campaign per Salesforce Campaign / HubSpot campaign pair, matched by name (the
-- HubSpot-Salesforce sync keeps names equal); a campaign in only one system stands alone.
-- Several campaigns sharing a name in one system pair off in id order instead of multiplying.

with

salesforce as (

    select
        *,
        lower(trim(campaign_name)) as name_key,
        row_number() over (partition by lower(trim(campaign_name)) order by campaign_id) as name_rank
    from {{ ref('stg_salesforce__campaigns') }}

),

hubspot as (

    select
        *,
        lower(trim(campaign_name)) as name_key,
        row_number() over (partition by lower(trim(campaign_name)) order by campaign_id) as name_rank
    from {{ ref('stg_hubspot__campaigns') }}

),

hubspot_email_campaigns as (

    -- campaigns that sent email: an email of theirs has a send (drafts have none)
    select distinct emails.campaign_id
    from {{ ref('stg_hubspot__marketing_emails') }} as emails
    inner join {{ ref('stg_hubspot__email_sends') }} as sends
        on emails.marketing_email_id = sends.marketing_email_id
    where emails.campaign_id is not null

),

campaign_type_channels as (

    select lower(source_value) as source_value, channel
    from {{ ref('channel_mapping') }}
    where source_system = 'salesforce' and source_field = 'campaign_type'

),

default_channels as (

    select lower(source_value) as source_value, channel
    from {{ ref('channel_mapping') }}
    where source_system = 'relay' and source_field = 'touch_type'

),

matched as (

    select
        coalesce(salesforce.campaign_id, hubspot.campaign_id) as campaign_id,
        coalesce(salesforce.campaign_name, hubspot.campaign_name) as campaign_name,
        salesforce.campaign_type,
        salesforce.campaign_status,
        coalesce(salesforce.start_date, hubspot.start_date) as start_date,
        coalesce(salesforce.end_date, hubspot.end_date) as end_date,
        salesforce.budgeted_cost as salesforce_budgeted_cost,
        salesforce.actual_cost as salesforce_actual_cost,
        salesforce.currency_code as salesforce_currency_code,
        hubspot.budget_amount as hubspot_budget_amount,
        hubspot.currency_code as hubspot_currency_code,
        salesforce.campaign_id as salesforce_campaign_id,
        hubspot.campaign_id as hubspot_campaign_id,
        case when hubspot_email_campaigns.campaign_id is not null then true else false end as sends_email
    from salesforce
    full outer join hubspot
        on salesforce.name_key = hubspot.name_key
        and salesforce.name_rank = hubspot.name_rank
    left join hubspot_email_campaigns
        on hubspot.campaign_id = hubspot_email_campaigns.campaign_id

)

select
    matched.*,
    -- A HubSpot-only campaign has no type: it is an email campaign if it sent email.
    coalesce(
        campaign_type_channels.channel,
        case when matched.sends_email then email_channel.channel end,
        'Other'
    ) as channel
from matched
left join campaign_type_channels
    on lower(matched.campaign_type) = campaign_type_channels.source_value
left join default_channels as email_channel
    on email_channel.source_value = 'email_open'

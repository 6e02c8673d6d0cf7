-- Source campaign id (Salesforce Campaign Id or HubSpot campaign guid) -> conformed campaign_id.

with

campaigns as (

    select * from {{ ref('int_campaigns_matched') }}

)

select salesforce_campaign_id as source_campaign_id, campaign_id, channel
from campaigns
where salesforce_campaign_id is not null
union all
select hubspot_campaign_id as source_campaign_id, campaign_id, channel
from campaigns
where hubspot_campaign_id is not null

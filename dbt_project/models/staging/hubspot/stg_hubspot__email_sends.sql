{%- set relation = source('hubspot', 'marketing_emails') -%}
{%- set types = source_columns(relation) -%}

-- One row per send of a HubSpot marketing email: an email event's emailCampaignId names a send,
-- and a marketing email lists its sends in allEmailCampaignIds (its primary send in
-- primaryEmailCampaignId). An A/B test or a resend gives an email several sends.

with

source as (

    select * from {{ relation }}

),

listed as (

    select
        cast(id as {{ dbt.type_string() }}) as marketing_email_id,
        {{ json_array_elements_text(source_column(types, 'all_email_campaign_ids', dbt.type_string())) }} as send_id
    from source
    where not coalesce(archived, false)

),

primary_sends as (

    select
        cast(id as {{ dbt.type_string() }}) as marketing_email_id,
        cast({{ source_column(types, 'primary_email_campaign_id', dbt.type_bigint()) }} as {{ dbt.type_string() }}) as send_id
    from source
    where not coalesce(archived, false)

),

sends as (

    select marketing_email_id, cast(send_id as {{ dbt.type_string() }}) as send_id from listed
    union
    select marketing_email_id, send_id from primary_sends where send_id is not null

)

select
    send_id,
    marketing_email_id
from sends

{#- A touch's channel: a campaign response takes its campaign's channel; email engagement and form
    fills take their touch type's channel from the channel_mapping seed (source_system `relay`). -#}
{% macro touch_channel(touch_type, campaign_channel, default_channel) -%}
    coalesce(
        case when {{ touch_type }} = 'campaign_response' then {{ campaign_channel }} end,
        {{ default_channel }},
        'Other'
    )
{%- endmacro %}

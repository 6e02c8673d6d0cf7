-- Every marketing touch from both systems with its person, channel and campaign.
--
-- Incremental, and equal to a full rebuild (tests/dbt/test_incremental_equivalence.py):
--   * rows the last dlt loads brought (new, late-arriving or changed: _dlt_load_id is newer than
--     any this table has seen from the same system) are rewritten;
--   * rows already here whose person, campaign or channel no longer match today's resolution
--     (a lead converted, an email merged, a seed edited) are rewritten;
--   * rows whose source record was deleted, archived or stopped counting as a touch are deleted
--     by the pre-hook (before the merge, while is_incremental() still tells a first build apart).
{{ config(
    materialized='incremental',
    unique_key='touch_id',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    pre_hook="{{ delete_vanished_rows(this, ref('int_touches_unioned'), 'touch_id') }}"
) }}

with

touches as (

    select * from {{ ref('int_touches_unioned') }}

),

people as (

    select * from {{ ref('int_person_match_keys') }}

),

campaigns as (

    select * from {{ ref('int_campaign_source_ids') }}

),

default_channels as (

    select lower(source_value) as touch_type, channel
    from {{ ref('channel_mapping') }}
    where source_system = 'relay' and source_field = 'touch_type'

),

{% if is_incremental() %}

-- Per source system: the two systems load in separate pipelines that may overlap in time, so one
-- system's newest load says nothing about what the other has delivered.
last_loads as (

    select source_system, max(_dlt_load_id) as last_load_id
    from {{ this }}
    group by source_system

),

loaded_since_last_run as (

    select touches.touch_id
    from touches
    left join last_loads
        on touches.source_system = last_loads.source_system
    where last_loads.last_load_id is null
       or touches._dlt_load_id > last_loads.last_load_id

),

resolution_moved as (

    select existing.touch_id
    from {{ this }} as existing
    left join people
        on existing.match_key = people.match_key
    left join campaigns
        on existing.source_campaign_id = campaigns.source_campaign_id
    left join default_channels
        on existing.touch_type = default_channels.touch_type
    where existing.person_id is distinct from people.person_id
       or existing.campaign_id is distinct from campaigns.campaign_id
       or existing.channel is distinct from {{ touch_channel('existing.touch_type', 'campaigns.channel', 'default_channels.channel') }}

),

to_rewrite as (

    select touch_id from loaded_since_last_run
    union
    select touch_id from resolution_moved

),

batch as (

    select touches.*
    from touches
    inner join to_rewrite
        on touches.touch_id = to_rewrite.touch_id

),

{% else %}

batch as (

    select * from touches

),

{% endif %}

enriched as (

    select
        batch.touch_id,
        people.person_id,
        batch.touched_at,
        batch.touch_type,
        {{ touch_channel('batch.touch_type', 'campaigns.channel', 'default_channels.channel') }} as channel,
        campaigns.campaign_id,
        batch.source_system,
        batch.match_key,
        coalesce(batch.salesforce_campaign_id, batch.hubspot_campaign_id) as source_campaign_id,
        batch.source_detail_id,
        batch._dlt_load_id
    from batch
    left join people
        on batch.match_key = people.match_key
    left join campaigns
        on coalesce(batch.salesforce_campaign_id, batch.hubspot_campaign_id) = campaigns.source_campaign_id
    left join default_channels
        on batch.touch_type = default_channels.touch_type

)

select
    cast(touch_id as {{ dbt.type_string() }}) as touch_id,
    cast(person_id as {{ dbt.type_string() }}) as person_id,
    cast(touched_at as {{ dbt.type_timestamp() }}) as touched_at,
    cast(touch_type as {{ dbt.type_string() }}) as touch_type,
    cast(channel as {{ dbt.type_string() }}) as channel,
    cast(campaign_id as {{ dbt.type_string() }}) as campaign_id,
    cast(source_system as {{ dbt.type_string() }}) as source_system,
    cast(match_key as {{ dbt.type_string() }}) as match_key,
    cast(source_campaign_id as {{ dbt.type_string() }}) as source_campaign_id,
    cast(source_detail_id as {{ dbt.type_string() }}) as source_detail_id,
    cast(_dlt_load_id as {{ dbt.type_string() }}) as _dlt_load_id
from enriched

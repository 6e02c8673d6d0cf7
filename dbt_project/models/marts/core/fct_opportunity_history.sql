-- An opportunity's stage and amount over time, one row per version, from two sources:
--   opportunity_history: Salesforce's own OpportunityHistory (each stage/amount/close-date change);
--   snapshot: the dbt snapshot of opportunities (catches changes of fields history does not track).
-- valid_to is when the next version of the same source began (null for the current version).

with

rates as (

    select upper(currency_code) as currency_code, rate
    from {{ ref('currency_rates') }}
    where upper(reporting_currency) = upper('{{ var("reporting_currency") }}')

),

stage_mapping as (

    select stage_name, opportunity_stage
    from {{ ref('opportunity_stage_mapping') }}

),

opportunities as (

    select opportunity_id, currency_code
    from {{ ref('stg_salesforce__opportunities') }}

),

history as (

    select
        'opportunity_history:' || history.opportunity_history_id as history_id,
        history.opportunity_id,
        'opportunity_history' as record_source,
        history.created_at as valid_from,
        lead(history.created_at) over (
            partition by history.opportunity_id
            order by history.created_at, history.opportunity_history_id
        ) as valid_to,
        history.stage_name,
        history.amount,
        opportunities.currency_code,
        history.close_date,
        history.probability
    from {{ ref('stg_salesforce__opportunity_history') }} as history
    inner join opportunities
        on history.opportunity_id = opportunities.opportunity_id

),

snapshots as (

    select
        'snapshot:' || snapshots.dbt_scd_id as history_id,
        snapshots.opportunity_id,
        'snapshot' as record_source,
        snapshots.dbt_valid_from as valid_from,
        snapshots.dbt_valid_to as valid_to,
        snapshots.stage_name,
        snapshots.amount,
        snapshots.currency_code,
        snapshots.close_date,
        snapshots.probability
    from {{ ref('snap_salesforce__opportunities') }} as snapshots
    -- Deleted opportunities keep their closed-off versions in the snapshot; the mart follows
    -- the opportunities that still exist, as fct_opportunities does.
    inner join opportunities
        on snapshots.opportunity_id = opportunities.opportunity_id

),

versions as (

    select * from history
    union all
    select * from snapshots

)

select
    cast(versions.history_id as {{ dbt.type_string() }}) as history_id,
    cast(versions.opportunity_id as {{ dbt.type_string() }}) as opportunity_id,
    cast(versions.record_source as {{ dbt.type_string() }}) as record_source,
    cast(versions.valid_from as {{ dbt.type_timestamp() }}) as valid_from,
    cast(versions.valid_to as {{ dbt.type_timestamp() }}) as valid_to,
    cast(versions.valid_to is null as boolean) as is_current,
    cast(versions.stage_name as {{ dbt.type_string() }}) as stage_name,
    cast(coalesce(stage_mapping.opportunity_stage, 'unmapped') as {{ dbt.type_string() }}) as stage,
    cast(versions.amount as numeric(18, 2)) as amount,
    cast(versions.currency_code as {{ dbt.type_string() }}) as currency_code,
    cast(versions.amount * rates.rate as numeric(18, 2)) as amount_reporting,
    cast(versions.close_date as date) as close_date,
    cast(versions.probability as numeric(9, 2)) as probability
from versions
left join stage_mapping
    on versions.stage_name = stage_mapping.stage_name
left join rates
    on versions.currency_code = rates.currency_code

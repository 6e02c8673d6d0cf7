-- One row per calendar day between vars dim_date_start and dim_date_end: the date dimension and
-- the time spine the semantic layer joins to.

with

days as (

    {{ dbt.date_spine(
        'day',
        "cast('" ~ var('dim_date_start', '2018-01-01') ~ "' as date)",
        "cast('" ~ var('dim_date_end', '2031-01-01') ~ "' as date)"
    ) }}

)

select
    cast(date_day as date) as date_day,
    cast(extract(year from date_day) as integer) as year_number,
    cast(extract(quarter from date_day) as integer) as quarter_number,
    cast(extract(month from date_day) as integer) as month_number,
    cast({{ dbt.date_trunc('week', 'date_day') }} as date) as week_start_date,
    cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month_start_date,
    cast({{ dbt.date_trunc('quarter', 'date_day') }} as date) as quarter_start_date,
    cast({{ dbt.date_trunc('year', 'date_day') }} as date) as year_start_date,
    cast(extract(dow from date_day) as integer) as day_of_week,
    cast(extract(dow from date_day) in (0, 6) as boolean) as is_weekend
from days

{#- MetricFlow's daily time spine: one row per day, wide enough for any date in the funnel. -#}
with days as (

    {{ dbt.date_spine('day', "cast('2000-01-01' as date)", "cast('2041-01-01' as date)") }}

)

select cast(date_day as date) as date_day
from days

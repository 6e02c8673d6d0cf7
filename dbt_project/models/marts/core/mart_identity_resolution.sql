-- How identity resolution went, one row per record type, method and status: how many source
-- records, and how many people they became. Unmatched and ambiguous records are counted here,
-- never dropped.

select
    cast(record_type as {{ dbt.type_string() }}) as record_type,
    cast(resolution_method as {{ dbt.type_string() }}) as resolution_method,
    cast(resolution_status as {{ dbt.type_string() }}) as resolution_status,
    cast(count(*) as bigint) as record_count,
    cast(count(distinct person_id) as bigint) as person_count
from {{ ref('int_person_records_resolved') }}
group by record_type, resolution_method, resolution_status

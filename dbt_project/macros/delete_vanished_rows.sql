{#- Pre-hook for incremental facts: delete rows whose key no longer exists upstream (the source
    record was deleted or archived, or no longer qualifies), so an incremental run ends where a
    full rebuild would. A no-op on the first build and on full refreshes (as a pre-hook it runs
    before the model exists on a first build, so is_incremental() tells the cases apart). -#}
{% macro delete_vanished_rows(target_relation, upstream_relation, key) -%}
    {%- if is_incremental() and not flags.FULL_REFRESH -%}
    delete from {{ target_relation }}
    where {{ key }} not in (
        select {{ key }} from {{ upstream_relation }} where {{ key }} is not null
    )
    {%- else -%}
    select 1
    {%- endif -%}
{%- endmacro %}

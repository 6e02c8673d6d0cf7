{#- Elapsed hours from one timestamp to another, to the second, the same on every target
    (datediff counts boundaries, which differs between databases). -#}
{% macro hours_between(start_timestamp, end_timestamp) -%}
    ((extract(epoch from {{ end_timestamp }}) - extract(epoch from {{ start_timestamp }})) / 3600.0)
{%- endmacro %}

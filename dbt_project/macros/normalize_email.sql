{#- The email as identity resolution compares it: trimmed, lower-cased, empty as null. -#}
{% macro normalize_email(expression) -%}
    nullif(lower(trim({{ expression }})), '')
{%- endmacro %}

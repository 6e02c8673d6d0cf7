{#- One row per element of a JSON array held as text, each element as text (numbers as written,
    strings unquoted), for use in a select list; a null or empty array gives no rows.

    DuckDB: unnest(from_json(...)); Postgres: jsonb_array_elements_text(...). Both are set-returning
    in a select list, so the other columns of the row repeat beside each element. -#}
{% macro json_array_elements_text(expression) -%}
    {{ return(adapter.dispatch('json_array_elements_text')(expression)) }}
{%- endmacro %}

{% macro default__json_array_elements_text(expression) -%}
    jsonb_array_elements_text(cast({{ expression }} as jsonb))
{%- endmacro %}

{% macro duckdb__json_array_elements_text(expression) -%}
    unnest(from_json({{ expression }}, '["VARCHAR"]'))
{%- endmacro %}

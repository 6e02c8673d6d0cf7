{#- The raw layer's column types, looked up once per staging model.

    dlt types a column from the values it sees (an ISO string may land as a timestamp, a column
    that was null on every row may not exist yet), so staging adapts to what is actually there
    instead of assuming one loader's choices. Outside execution (parse, docs) nothing is known. -#}
{% macro source_columns(relation) -%}
    {%- set types = {} -%}
    {%- if execute and relation is not none -%}
        {%- for column in adapter.get_columns_in_relation(relation) -%}
            {%- do types.update({column.name | lower: column.data_type | lower}) -%}
        {%- endfor -%}
    {%- endif -%}
    {{ return(types) }}
{%- endmacro %}


{#- The column if the raw table has it, else a typed null: a field no record has filled in yet
    is absent from the raw table until one does. -#}
{% macro source_column(types, name, data_type) -%}
    {%- if not types or name in types -%}
        {{ name }}
    {%- else -%}
        cast(null as {{ data_type }})
    {%- endif -%}
{%- endmacro %}

{#- Custom schemas are used as-is (staging, intermediate, marts), not prefixed with the target
    schema, so every target and every engineer sees the same schema names. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}

{#- A bare host from a website or domain field: `https://www.Acme.com/about` -> `acme.com`. -#}
{% macro web_domain(expression) -%}
    nullif(
        {{ dbt.split_part(
            "replace(replace(replace(lower(trim(" ~ expression ~ ")), 'https://', ''), 'http://', ''), 'www.', '')",
            "'/'", 1
        ) }},
        ''
    )
{%- endmacro %}

{#- Source timestamps as `timestamp` (without time zone) holding UTC, the one convention every
    model downstream relies on.

    `types` is the raw table's column types (macro source_columns). A column dlt already typed as
    a zoned timestamp is shifted to UTC; one still holding the wire string (Salesforce
    `2024-03-05T14:22:01.000+0000`, HubSpot `2024-03-05T14:22:01.000Z`) is parsed with its
    offset (digits only: epoch milliseconds, as older HubSpot portals send); a naive timestamp is taken to be UTC already. -#}
{% macro to_utc_timestamp(types, name) -%}
    {%- set data_type = types.get(name, 'text') -%}
    {%- if types and name not in types -%}
        cast(null as {{ dbt.type_timestamp() }})
    {%- elif 'with time zone' in data_type or data_type == 'timestamptz' -%}
        timezone('UTC', {{ name }})
    {%- elif 'timestamp' in data_type -%}
        cast({{ name }} as {{ dbt.type_timestamp() }})
    {%- elif data_type == 'date' -%}
        cast({{ name }} as {{ dbt.type_timestamp() }})
    {%- else -%}
        {#- Text: an ISO-8601 string with its offset, or (older HubSpot portals) epoch milliseconds. -#}
        case
            when {{ name }} like '%-%' then timezone('UTC', cast({{ name }} as timestamptz))
            when {{ name }} <> '' then timezone('UTC', to_timestamp(cast({{ name }} as {{ dbt.type_bigint() }}) / 1000.0))
        end
    {%- endif -%}
{%- endmacro %}


{#- Epoch milliseconds (HubSpot email events and form submissions) as a UTC `timestamp`. -#}
{% macro epoch_ms_to_timestamp(types, name) -%}
    {%- set data_type = types.get(name, 'bigint') -%}
    {%- if types and name not in types -%}
        cast(null as {{ dbt.type_timestamp() }})
    {%- elif 'with time zone' in data_type or data_type == 'timestamptz' -%}
        timezone('UTC', {{ name }})
    {%- elif 'timestamp' in data_type -%}
        cast({{ name }} as {{ dbt.type_timestamp() }})
    {%- else -%}
        timezone('UTC', to_timestamp(cast({{ name }} as {{ dbt.type_bigint() }}) / 1000.0))
    {%- endif -%}
{%- endmacro %}


{#- A calendar date from a `YYYY-MM-DD` string, a date, or a timestamp. -#}
{% macro to_date(types, name) -%}
    {%- set data_type = types.get(name, 'text') -%}
    {%- if types and name not in types -%}
        cast(null as date)
    {%- elif 'with time zone' in data_type or data_type == 'timestamptz' -%}
        cast(timezone('UTC', {{ name }}) as date)
    {%- elif 'timestamp' in data_type or data_type == 'date' -%}
        cast({{ name }} as date)
    {%- else -%}
        cast(nullif({{ name }}, '') as date)
    {%- endif -%}
{%- endmacro %}

{#- Custom fields carried into the marts, as the packaged models' pass-through columns
    (var pass_through_columns in dbt_project.yml: per mart, per record type, raw column names or
    {name, alias}). Staging carries each as `pass_through__<alias>` (null where the account's raw
    table lacks the field), the mart names it `<alias>`. Nothing is added while the var is empty. -#}

{% macro pass_through_entries(mart, record_type) -%}
    {%- set marts = var('pass_through_columns', {}) or {} -%}
    {%- set entries = [] -%}
    {%- for entry in (marts.get(mart) or {}).get(record_type) or [] -%}
        {%- if entry is string -%}
            {%- do entries.append({'name': entry | lower, 'alias': entry | lower}) -%}
        {%- elif entry is mapping and entry.get('name') -%}
            {%- do entries.append({'name': entry['name'] | lower, 'alias': (entry.get('alias') or entry['name']) | lower}) -%}
        {%- else -%}
            {{ exceptions.raise_compiler_error("var pass_through_columns." ~ mart ~ "." ~ record_type ~ ": each entry is a column name or {name, alias}, got " ~ entry) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(entries) }}
{%- endmacro %}


{#- In a staging select, before its last column: one `pass_through__<alias>,` per entry. -#}
{% macro pass_through_staging(types, mart, record_type) -%}
    {%- for entry in pass_through_entries(mart, record_type) %}
        {{ source_column(types, entry.name, dbt.type_string()) }} as pass_through__{{ entry.alias }},
    {%- endfor -%}
{%- endmacro %}


{#- In a mart's final select, after its last column: `, <alias>` per distinct alias of the mart,
    the first non-null of `sources` ([record_type, relation] in order of authority) that carry it. -#}
{% macro pass_through_mart(mart, sources) -%}
    {%- set carriers = {} -%}
    {%- set aliases = [] -%}
    {%- for record_type, relation in sources -%}
        {%- for entry in pass_through_entries(mart, record_type) -%}
            {%- if entry.alias not in carriers -%}
                {%- do carriers.update({entry.alias: []}) -%}
                {%- do aliases.append(entry.alias) -%}
            {%- endif -%}
            {%- do carriers[entry.alias].append(relation ~ '.pass_through__' ~ entry.alias) -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- for alias in aliases %},
    {% if carriers[alias] | length == 1 %}{{ carriers[alias][0] }}{% else %}coalesce({{ carriers[alias] | join(', ') }}){% endif %} as {{ alias }}
    {%- endfor -%}
{%- endmacro %}


{#- Whether a record type feeds any pass-through column of a mart (a join is needed only then). -#}
{% macro has_pass_through(mart, record_type) -%}
    {{ return(pass_through_entries(mart, record_type) | length > 0) }}
{%- endmacro %}


{#- A mart's column contract holds while it has no pass-through columns: the contract lists the
    mart's own columns, and an account's custom fields cannot be written into it ahead of time. -#}
{% macro pass_through_contract(mart) -%}
    {%- set marts = var('pass_through_columns', {}) or {} -%}
    {%- set listed = (marts.get(mart) or {}).values() | select | list -%}
    {{ return({'enforced': listed | length == 0}) }}
{%- endmacro %}

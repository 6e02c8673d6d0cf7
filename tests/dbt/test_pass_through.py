"""Custom-field pass-through: fields listed in var pass_through_columns reach dim_people,
dim_accounts and fct_opportunities with the source's values, on a wide dataset (generate
--custom-fields), and a listed field the account lacks is a column of nulls."""

from __future__ import annotations

import json
from pathlib import Path

import orjson
import pytest

pytestmark = pytest.mark.slow

TEXT_TYPES = {"string", "picklist", "text", "select"}


def _records(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


def _first_text_custom(declared: dict, api: str, name: str) -> str:
    key = "fields" if api == "salesforce" else "properties"
    for field in declared[api][name][key]:
        custom = field.get("custom") if api == "salesforce" else field.get("hubspotDefined") is False
        if custom and field["type"] in TEXT_TYPES | {"enumeration"} and field.get("fieldType", "text") in TEXT_TYPES:
            return field["name"]
    raise AssertionError(f"no text custom field on {api}/{name}")


def test_listed_custom_fields_reach_the_marts(pipeline_warehouse) -> None:
    from ingestion.sandbox.generator import generate

    warehouse = pipeline_warehouse()
    generate(warehouse.data_dir, 300, 42, as_of="2025-01-01", custom_fields=40)
    declared = json.loads((warehouse.data_dir / "schema.json").read_text())
    account = _first_text_custom(declared, "salesforce", "Account")
    opportunity = _first_text_custom(declared, "salesforce", "Opportunity")
    contact = _first_text_custom(declared, "salesforce", "Contact")
    hubspot = _first_text_custom(declared, "hubspot", "contacts")
    warehouse.load()
    variables = {"pass_through_columns": {
        "dim_accounts": {"salesforce_account": [{"name": account.lower(), "alias": "account_custom"}, "no_such_field__c"]},
        "fct_opportunities": {"salesforce_opportunity": [opportunity.lower()]},
        "dim_people": {"salesforce_contact": [{"name": contact.lower(), "alias": "person_custom"}],
                       "hubspot_contact": [hubspot, {"name": hubspot, "alias": "person_custom"}]},
    }}
    result = warehouse.dbt("build", "--exclude", "test_type:unit", "--vars", json.dumps(variables))
    assert result.returncode == 0, result.stdout[-3000:]

    accounts = {r["Id"]: r.get(account) for r in _records(warehouse.data_dir / "salesforce" / "Account.jsonl")
                if not r["IsDeleted"]}
    got = dict(warehouse.query("select salesforce_account_id, account_custom from marts.dim_accounts"
                               " where salesforce_account_id is not null"))
    assert got == accounts and any(v is not None for v in got.values())
    assert warehouse.query("select count(no_such_field__c) from marts.dim_accounts") == [(0,)]

    opportunities = {r["Id"]: r.get(opportunity) for r in _records(warehouse.data_dir / "salesforce" / "Opportunity.jsonl")
                     if not r["IsDeleted"]}
    got = dict(warehouse.query(f"select opportunity_id, {opportunity.lower()} from marts.fct_opportunities"))
    assert got == opportunities and any(v is not None for v in got.values())

    contacts = {r["Id"]: r.get(contact) for r in _records(warehouse.data_dir / "salesforce" / "Contact.jsonl")}
    hubspot_values = {r["id"]: r["properties"].get(hubspot) for r in _records(warehouse.data_dir / "hubspot" / "contacts.jsonl")}
    rows = warehouse.query(f"select salesforce_contact_id, hubspot_contact_id, person_custom, {hubspot} from marts.dim_people")
    assert any(r[3] is not None for r in rows)
    for contact_id, hubspot_id, person_custom, hubspot_value in rows:
        assert hubspot_value == (hubspot_values[hubspot_id] if hubspot_id else None)
        # the Salesforce contact's value first, else the HubSpot contact's (the order of authority)
        first = contacts.get(contact_id) if contact_id else None
        assert person_custom == (first if first is not None else hubspot_value)

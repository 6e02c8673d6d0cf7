"""A hand-made wide org for limit tests: Lead declared (``schema.json``) with hundreds of custom
fields at Salesforce's longest API names, each record filling them in. (The generator's wide
profile is the realistic one; this one is small and exact.)"""

from __future__ import annotations

import json
from pathlib import Path

from tests.sandbox.server_helpers import sf_record, write_records

WIDE_FIELDS = 400  # at Salesforce's longest custom field names (40 + "__c"), enough to pass 16,384 bytes


def custom_field(index: int) -> str:
    return f"Marketing_Qualification_Detail_{index:03d}_X__c"[:37] + f"{index:03d}" + "__c"


def wide_dir(tmp_path: Path, records: int = 3, fields: int = WIDE_FIELDS) -> Path:
    """A hand-made org: Lead declared with ``fields`` custom fields, each record filling them in."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    names = [custom_field(i) for i in range(fields)]
    schema = {"salesforce": {"Lead": {"keyPrefix": "00Q", "fields": [
        {"name": "Id", "type": "id"}, {"name": "IsDeleted", "type": "boolean"},
        {"name": "LastName", "type": "string"}, *({"name": n, "type": "string", "custom": True} for n in names),
        {"name": "CreatedDate", "type": "datetime"}, {"name": "LastModifiedDate", "type": "datetime"},
        {"name": "SystemModstamp", "type": "datetime"},
    ]}}}
    (tmp_path / "schema.json").write_text(json.dumps(schema))
    rows = []
    for i in range(records):
        row = sf_record(i, "Lead", LastName=f"Person {i}", **{n: f"v{i}-{k}" for k, n in enumerate(names)})
        row.pop("Name")
        row["Id"] = f"00Q{i:015d}"
        rows.append(row)
    write_records(tmp_path / "salesforce" / "Lead.jsonl", rows)
    return tmp_path

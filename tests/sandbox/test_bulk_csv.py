"""The Bulk API 2.0 CSV writer: the Arrow path writes what the record-by-record Python path writes,
read back with Python's csv module and with Relay's Bulk reader, and a page Arrow cannot read with
the declared types (a value of another type in a hand-made file) is written by Python instead."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import requests

from ingestion.salesforce.bulk import read_csv
from ingestion.salesforce.settings import FIELD_TYPES
from ingestion.sandbox.server.bulk_csv import arrow_page, python_page
from ingestion.sandbox.server.salesforce import SalesforceApi
from ingestion.sandbox.server.tables import TableStore
from tests.sandbox.server_helpers import SF, sf_headers, sf_record, write_records


def _cells(page: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(page.decode("utf-8"), newline="")))


def _pages(api: SalesforceApi, sobject: str, size: int = 97):
    obj = api.sobject(sobject)
    fields, types = tuple(obj.fields), dict(obj.fields)
    for start in range(0, obj.table.size, size):
        rows = np.arange(start, min(start + size, obj.table.size), dtype=np.int64)
        yield fields, types, arrow_page(obj.table, rows, fields, types), python_page(obj.table, rows, fields, types)


def test_the_arrow_page_reads_back_as_the_python_page(sandbox_dataset):
    api = SalesforceApi(TableStore(sandbox_dataset), "id", "secret")
    seen: dict[str, set[str]] = {}
    for sobject in ("Lead", "Opportunity", "Account"):
        for fields, types, arrow, python in _pages(api, sobject):
            assert arrow is not None, sobject  # the generated data is what the declared types say
            cells = _cells(arrow)
            assert cells == _cells(python), sobject
            assert arrow.split(b"\n", 1)[0] == b",".join(b'"%s"' % f.encode() for f in fields)
            declared = {name: FIELD_TYPES.get(kind, "text") for name, kind in types.items()}
            assert read_csv(arrow, declared).equals(read_csv(python, declared)), sobject
            for name, column in zip(fields, zip(*cells[1:])):
                seen.setdefault(types[name], set()).update(column)
    # the pages held every kind of value the comparison is about
    assert "" in seen["reference"] and "" in seen["date"]  # nulls, written ""
    assert {"true", "false"} <= seen["boolean"]
    assert seen["datetime"] and all(len(v) == 24 and v.endswith("Z") for v in seen["datetime"])  # ...000Z
    assert any(len(v) == 10 for v in seen["date"])
    assert seen["currency"] - {""} and seen["percent"] - {""} and seen["int"] - {""}
    assert all(v.isdigit() for v in seen["int"])  # NumberOfEmployees "250", never "250.0"


def test_a_page_arrow_cannot_read_is_written_by_python(tmp_path, start_sandbox_server):
    declaration = {"keyPrefix": "a0X", "fields": [
        {"name": "Id", "type": "id"}, {"name": "IsDeleted", "type": "boolean"}, {"name": "Name", "type": "string"},
        {"name": "Score__c", "type": "double"}, {"name": "Seats__c", "type": "int"},
        {"name": "SystemModstamp", "type": "datetime"},
    ]}
    (tmp_path / "schema.json").write_text(json.dumps({"salesforce": {"Widget__c": declaration}}))
    records = [sf_record(i, Score__c=i * 1.5, Seats__c=i) for i in range(6)]
    records[4]["Score__c"] = "n/a"  # a hand-made file: a string in a number field
    records[5]["SystemModstamp"] = "2024-01-01T02:00:00+02:00"  # another offset: converted to UTC
    write_records(tmp_path / "salesforce" / "Widget__c.jsonl", records)

    api = SalesforceApi(TableStore(tmp_path), "id", "secret")
    obj = api.sobject("Widget__c")
    fields, types = tuple(obj.fields), dict(obj.fields)
    assert arrow_page(obj.table, np.arange(0, 4), fields, types) is not None
    assert arrow_page(obj.table, np.arange(4, 6), fields, types) is None

    server = start_sandbox_server(tmp_path)
    headers = sf_headers(server.url)
    jobs = f"{server.url}{SF}/jobs/query"
    job = requests.post(jobs, headers=headers, json={
        "operation": "query", "query": "SELECT Id, Score__c, Seats__c, SystemModstamp FROM Widget__c"}).json()
    while requests.get(f"{jobs}/{job['id']}", headers=headers).json()["state"] != "JobComplete":
        pass
    rows, locator = [], None
    while locator != "null":
        page = requests.get(f"{jobs}/{job['id']}/results", headers=headers,
                            params={"maxRecords": 4, **({"locator": locator} if locator else {})})
        assert page.status_code == 200, page.text
        rows += _cells(page.content)[1:]
        locator = page.headers["Sforce-Locator"]
    assert [row[1:3] for row in rows] == [["0.0", "0"], ["1.5", "1"], ["3.0", "2"], ["4.5", "3"], ["n/a", "4"],
                                          ["7.5", "5"]]
    assert rows[0][3] == "2024-01-01T00:00:00.000Z" and rows[5][3] == "2024-01-01T00:00:00.000Z"

"""After a mutate step, the running server serves the new files, and an incremental filter on the
modification timestamp returns exactly the changed records."""

from __future__ import annotations

import json

from ingestion.sandbox.client import SandboxClient
from ingestion.sandbox.generator import mutate
from tests.sandbox.server_helpers import read_records

CRM = {"contacts": "lastmodifieddate", "companies": "hs_lastmodifieddate"}


def _changed(log: dict, key: str) -> set[str]:
    ids = log["objects"].get(key, {})
    return set(ids.get("updated", [])) | set(ids.get("inserted", [])) | set(ids.get("deleted", []))


def test_incremental_filters_return_exactly_the_changed_records(sandbox_dataset_copy, start_sandbox_server):
    data_dir = sandbox_dataset_copy
    server = start_sandbox_server(data_dir)
    client = SandboxClient(server.url)
    sobjects = client.sf_objects()

    # High-water marks as a loader would keep them, read through the APIs (which loads every table).
    sf_marks = {}
    for sobject in sobjects:
        latest = list(client.soql(f"SELECT SystemModstamp FROM {sobject} ORDER BY SystemModstamp DESC LIMIT 1",
                                  include_deleted=True))
        sf_marks[sobject] = latest[0]["SystemModstamp"]
    hs_marks = {}
    for name, prop in CRM.items():
        body = {"sorts": [{"propertyName": prop, "direction": "DESCENDING"}], "properties": [prop], "limit": 1}
        hs_marks[name] = client.hs_post(f"/crm/v3/objects/{name}/search", body)["results"][0]["properties"][prop]

    report = mutate(data_dir, 0.05, 7)
    log = json.loads((data_dir / "mutations" / f"{report['mutation']}.json").read_text())

    total_changed = 0
    for sobject in sobjects:
        changed = _changed(log, f"salesforce/{sobject}")
        total_changed += len(changed)
        mark = sf_marks[sobject]
        served_all = [r["Id"] for r in client.soql(
            f"SELECT Id FROM {sobject} WHERE SystemModstamp > {mark}", include_deleted=True)]
        assert sorted(served_all) == sorted(changed), sobject
        in_file = {r["Id"]: r for r in read_records(data_dir / "salesforce" / f"{sobject}.jsonl")}
        served_live = {r["Id"] for r in client.soql(f"SELECT Id FROM {sobject} WHERE SystemModstamp > {mark}")}
        assert served_live == {i for i in changed if not in_file[i]["IsDeleted"]}, sobject

    for name, prop in CRM.items():
        changed = _changed(log, f"hubspot/{name}")
        total_changed += len(changed)
        in_file = {r["id"]: r for r in read_records(data_dir / "hubspot" / f"{name}.jsonl")}
        body = {"filterGroups": [{"filters": [{"propertyName": prop, "operator": "GT", "value": hs_marks[name]}]}],
                "limit": 100}
        served = [r["id"] for r in client.crm_search(name, body)]
        assert sorted(served) == sorted(i for i in changed if not in_file[i]["archived"]), name
        archived_now = {r["id"] for r in client.crm_objects(name, archived=True)}
        assert archived_now == {i for i, r in in_file.items() if r["archived"]}
        assert set(log["objects"][f"hubspot/{name}"]["deleted"]) <= archived_now
    assert total_changed > 0


def test_mutated_files_are_served_without_a_restart(sandbox_dataset_copy, start_sandbox_server):
    data_dir = sandbox_dataset_copy
    server = start_sandbox_server(data_dir)
    client = SandboxClient(server.url)
    before = sum(1 for _ in client.soql("SELECT Id FROM Lead", include_deleted=True))
    report = mutate(data_dir, 0.1, 3)
    inserted = report["objects"]["salesforce/Lead"]["inserted"]
    after = sum(1 for _ in client.soql("SELECT Id FROM Lead", include_deleted=True))
    assert inserted > 0 and after == before + inserted
    assert after == len(read_records(data_dir / "salesforce" / "Lead.jsonl"))

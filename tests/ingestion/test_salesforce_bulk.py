"""The Salesforce source's Bulk API 2.0 path: wide objects that REST cannot ask for in one URL load
every custom field through Bulk, and Bulk loads what REST loads, value for value."""

from __future__ import annotations

import pytest

from tests.sandbox.wide_org import WIDE_FIELDS, custom_field, wide_dir

REST_LIKE_TODAY = {"SOURCES__SALESFORCE__QUERY_API": "rest"}


def test_a_wide_object_loads_every_custom_field_through_bulk(duckdb_warehouse, tmp_path, start_sandbox_server,
                                                            make_loader):
    data_dir = wide_dir(tmp_path / "org", records=5)
    server = start_sandbox_server(data_dir)
    make_loader(server, duckdb_warehouse).load(["salesforce"])
    columns = duckdb_warehouse.columns("raw_salesforce", "lead")
    custom = [c for c in columns if c.endswith("_c")]
    assert len(custom) == WIDE_FIELDS
    first = custom_field(0).lower()
    last = custom_field(WIDE_FIELDS - 1).lower()
    rows = duckdb_warehouse.query(f'select id, "{first}", "{last}" from raw_salesforce.lead order by id')
    assert rows == [(f"00Q{i:015d}", f"v{i}-0", f"v{i}-{WIDE_FIELDS - 1}") for i in range(5)]
    endpoints = server.stats()["endpoints"]
    assert endpoints["salesforce.bulkResults"]["records"] == 5
    assert all("414" not in e["statuses"] for e in endpoints.values())
    # objects the org declares but holds no records of are loaded as empty, not refused
    assert "414" not in str(endpoints) and all(
        set(e["statuses"]) <= {"200", "204"} for e in endpoints.values()), endpoints


def test_todays_request_pattern_gets_414_on_the_wide_object(duckdb_warehouse, tmp_path, start_sandbox_server,
                                                           make_loader):
    """Every describe field in the REST URL, as the source did before Bulk: the org refuses it."""
    from ingestion.pipelines import IngestionError

    server = start_sandbox_server(wide_dir(tmp_path / "org", records=5))
    with pytest.raises(IngestionError) as failure:
        make_loader(server, duckdb_warehouse, **REST_LIKE_TODAY).load(["salesforce"])
    assert "414" in str(failure.value) and "object `lead`" in str(failure.value)


@pytest.mark.slow
def test_bulk_loads_what_rest_loads(make_warehouse, sandbox_dataset, start_sandbox_server, make_loader):
    server = start_sandbox_server(sandbox_dataset)
    rest, bulk = make_warehouse("duckdb"), make_warehouse("duckdb")
    make_loader(server, rest, name="rest", SOURCES__SALESFORCE__QUERY_API="rest").load(["salesforce"])
    server.reset_stats()
    make_loader(server, bulk, name="bulk", SOURCES__SALESFORCE__QUERY_API="bulk").load(["salesforce"])
    endpoints = server.stats()["endpoints"]
    assert "salesforce.queryAll" not in endpoints and endpoints["salesforce.bulkResults"]["records"] > 0
    assert bulk.snapshot("raw_salesforce") == rest.snapshot("raw_salesforce")
    for table in ("lead", "opportunity"):
        assert bulk.columns("raw_salesforce", table) == rest.columns("raw_salesforce", table), table


@pytest.mark.slow
def test_an_incremental_run_through_bulk_equals_a_full_load(make_warehouse, sandbox_dataset_copy,
                                                            start_sandbox_server, make_loader):
    from ingestion.sandbox.generator import mutate

    data_dir = sandbox_dataset_copy
    server = start_sandbox_server(data_dir)
    incremental = make_warehouse("duckdb")
    loader = make_loader(server, incremental, name="incremental", SOURCES__SALESFORCE__BULK_MIN_RECORDS="1")
    loader.load(["salesforce"])
    mutate(data_dir, 0.01, 7)
    server.reset_stats()
    loader.load(["salesforce"])  # every object with a change goes through a Bulk job (COUNT() >= 1)
    endpoints = server.stats()["endpoints"]
    assert endpoints["salesforce.bulkResults"]["records"] > 0
    reference = make_warehouse("duckdb")
    make_loader(start_sandbox_server(data_dir), reference, name="reference").load(["salesforce"])
    assert incremental.snapshot("raw_salesforce") == reference.snapshot("raw_salesforce")

"""The pieces Relay adds to dlt's REST client, against the real sandbox server where they speak
HTTP: SOQL and describe handling, Salesforce paging, HubSpot's windowed search, target selection."""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.auth import BearerTokenAuth

from ingestion.hubspot.helpers import WindowedSearchPaginator, epoch_ms, search_body, submission_email
from ingestion.pipelines.progress import make_progress
from tests.ingestion.crash_drill import parse_crash_at
from ingestion.pipelines.targets import TargetConfigError, make_target
from ingestion.retries import retrying_session
from ingestion.salesforce.helpers import build_soql, column_hints, selectable_fields, soql_datetime
from tests.fixtures.sandbox import SANDBOX_CREDENTIALS


def test_soql_is_full_then_incremental():
    assert build_soql("Lead", ["Id", "Email"], None) == "SELECT Id, Email FROM Lead"
    assert (
        build_soql("Lead", ["Id"], "2024-03-05T14:22:01.123+0000")
        == "SELECT Id FROM Lead WHERE SystemModstamp >= 2024-03-05T14:22:01.123Z"
    )
    assert soql_datetime("2024-03-05T14:22:01.000Z") == "2024-03-05T14:22:01.000Z"
    assert soql_datetime(datetime.fromisoformat("2024-03-05T15:22:01.123+01:00")) == "2024-03-05T14:22:01.123Z"


def test_describe_types_become_column_hints():
    describe = {
        "fields": [
            {"name": "Id", "type": "id"},
            {"name": "Amount", "type": "currency"},
            {"name": "CloseDate", "type": "date"},
            {"name": "IsWon", "type": "boolean"},
            {"name": "NumberOfEmployees", "type": "int"},
            {"name": "SystemModstamp", "type": "datetime"},
            {"name": "BillingAddress", "type": "address"},
            {"name": "Rating__c", "type": "picklist"},
        ]
    }
    hints = column_hints(describe)
    assert {name: hint["data_type"] for name, hint in hints.items() if name in {f["name"] for f in describe["fields"]}} == {
        "Id": "text", "Amount": "double", "CloseDate": "date", "IsWon": "bool", "NumberOfEmployees": "bigint",
        "SystemModstamp": "timestamp", "Rating__c": "text",
    }
    assert "BillingAddress" not in selectable_fields(describe)


def test_salesforce_describe_and_query_paging_against_sandbox(make_sandbox_dataset, start_sandbox_server):
    from ingestion.salesforce import salesforce_source

    sandbox_dataset = make_sandbox_dataset(people=3000)  # > 2,000 tasks: more than one page
    sandbox_server = start_sandbox_server(sandbox_dataset)

    source = salesforce_source(
        base_url=sandbox_server.url,
        client_id=SANDBOX_CREDENTIALS["sf_client_id"],
        client_secret=SANDBOX_CREDENTIALS["sf_client_secret"],
        sobjects=["Task", "User"],
    )
    # Pages arrive as Arrow tables (dicts only when a page cannot be typed): count records, not items.
    tasks = [row for page in source.resources["task"] for row in (page.to_pylist() if hasattr(page, "to_pylist") else [page])]
    in_file = [json.loads(line) for line in (sandbox_dataset / "salesforce" / "Task.jsonl").read_text().splitlines()]
    assert len(tasks) == len(in_file) > 2000  # more than one page: nextRecordsUrl was followed
    assert sorted(t["Id"] for t in tasks) == sorted(r["Id"] for r in in_file)
    assert not any("attributes" in t for t in tasks)


def test_unknown_sobject_is_refused():
    from ingestion.salesforce import salesforce_source

    with pytest.raises(ValueError, match="unknown SObject 'Quote'"):
        list(salesforce_source(base_url="http://127.0.0.1:9", client_id="x", client_secret="y", sobjects=["Quote"]).resources)


def test_windowed_search_reads_past_the_result_cap(sandbox_server, sandbox_dataset):
    """With the cap lowered to 250, reading ~300 contacts needs a new search window; every active
    contact arrives (the boundary record may arrive twice, merge makes that harmless)."""
    client = RESTClient(
        base_url=sandbox_server.url,
        session=retrying_session(),
        auth=BearerTokenAuth(token=SANDBOX_CREDENTIALS["hubspot_token"]),
    )
    paginator = WindowedSearchPaginator("lastmodifieddate", max_results=250)
    body = search_body("lastmodifieddate", "1970-01-01T00:00:00.000Z", ["email", "lastmodifieddate"])
    seen = [r["id"] for page in client.paginate(
        "/crm/v3/objects/contacts/search", method="POST", json=body, paginator=paginator, data_selector="results"
    ) for r in page]
    active = [
        r["id"] for r in map(json.loads, (sandbox_dataset / "hubspot" / "contacts.jsonl").read_text().splitlines())
        if not r["archived"]
    ]
    assert len(active) > 250
    assert set(seen) == set(active)
    assert len(seen) - len(set(seen)) <= 5


def test_submission_email_and_epoch_ms():
    assert submission_email([{"name": "firstname", "value": "A"}, {"name": "email", "value": "a@b.c"}]) == "a@b.c"
    assert submission_email(None) is None
    assert epoch_ms("1970-01-01T00:00:01.500Z") == 1500
    assert epoch_ms("2024-03-05T14:22:01.000Z") == int(datetime.fromisoformat("2024-03-05T14:22:01+00:00").timestamp() * 1000)
    # a cursor read from an Arrow page is a datetime
    assert epoch_ms(datetime.fromisoformat("2024-03-05T14:22:01.123+00:00")) == epoch_ms("2024-03-05T14:22:01.123Z")


def test_targets_from_environment(monkeypatch, tmp_path, dlt_env):
    monkeypatch.setenv("RELAY_DUCKDB_PATH", str(tmp_path / "x" / "w.duckdb"))
    target = make_target()
    assert target.name == "duckdb" and target.location == str(tmp_path / "x" / "w.duckdb")
    monkeypatch.setenv("RELAY_TARGET", "postgres")
    monkeypatch.setenv("RELAY_PG_DATABASE", "relay_x")
    pg = make_target()
    assert pg.name == "postgres" and pg.location == "127.0.0.1:5432/relay_x"
    assert pg.working_dir_key != target.working_dir_key
    monkeypatch.setenv("RELAY_TARGET", "snowflake")
    with pytest.raises(TargetConfigError, match="unknown target 'snowflake'"):
        make_target()
    monkeypatch.setenv("RELAY_TARGET", "postgres")
    monkeypatch.setenv("RELAY_PG_PORT", "five")
    with pytest.raises(TargetConfigError, match="RELAY_PG_PORT"):
        make_target()


def test_crash_drill_setting_is_validated():
    with pytest.raises(ValueError, match="RELAY_CRASH_AT"):
        parse_crash_at("somewhere")
    assert parse_crash_at("load:3") == ("load", 3)


def test_the_product_takes_no_drill_hook(monkeypatch):
    monkeypatch.setenv("RELAY_CRASH_AT", "somewhere")
    assert make_progress(False) is not None  # the variable means nothing outside the drill


def test_missing_credentials_name_the_variables(tmp_path, dlt_env):
    import os
    import subprocess
    import sys

    repo = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
    if os.path.exists(os.path.join(repo, ".dlt", "secrets.toml")):
        pytest.skip("a local .dlt/secrets.toml provides the credentials")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RELAY_", "SOURCES__"))}
    env.update(RELAY_PIPELINES_DIR=str(dlt_env), RELAY_DUCKDB_PATH=str(tmp_path / "w.duckdb"))
    result = subprocess.run(
        [sys.executable, "-m", "ingestion", "run", "--no-progress"],
        cwd=repo,
        env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "SOURCES__SALESFORCE__CLIENT_SECRET" in result.stderr
    assert "SOURCES__HUBSPOT__ACCESS_TOKEN" in result.stderr


def test_a_contract_refusal_from_a_normalize_worker_is_recognised():
    """With workers > 1 dlt normalizes in processes: the refusal reaches the parent as the text of
    a NormalizeJobFailed, its DataValidationError left behind in the worker."""
    from dlt.common.schema.exceptions import DataValidationError
    from dlt.normalize.exceptions import NormalizeJobFailed
    from dlt.pipeline.exceptions import PipelineStepFailed

    from ingestion.pipelines.errors import ContractRefusal, contract_refusal, explain

    refusal = DataValidationError("salesforce", "account", "number_of_employees__v_text", "data_type", "freeze",
                                  None, None, extended_info="Can't add variant column.")
    remote = NormalizeJobFailed("1796.05", "account.10211e1571.typed-jsonl.gz", str(refusal), [])
    failed = PipelineStepFailed.__new__(PipelineStepFailed)
    Exception.__init__(failed, "normalize failed")
    failed.step, failed.exception = "normalize", remote
    assert contract_refusal(remote) == ContractRefusal("account", "number_of_employees__v_text", "data_type", "freeze")
    message = str(explain("relay_salesforce", failed))
    assert message.startswith("relay_salesforce: schema contract refused data while normalizing: table `account`")
    assert "_RemoteTraceback" not in message
    assert contract_refusal(NormalizeJobFailed("1", "job", "disk full", [])) is None

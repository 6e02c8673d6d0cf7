"""Salesforce Bulk API 2.0 query jobs, read as Arrow tables typed by describe.

A job is created with the SOQL in its JSON body (so no field list is ever too long for a URL),
polled until ``JobComplete``, and its CSV results read page by page (``Sforce-Locator`` until
``null``) with Arrow's CSV reader: each column gets its declared type, and an empty value is null
(Salesforce stores no empty strings). The job is deleted once read, freeing the org's result
storage.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator, Mapping

import pyarrow as pa
import pyarrow.csv as pa_csv
from dlt.sources.helpers.rest_client import RESTClient
from requests import RequestException

from ingestion.arrow_pages import ARROW_TYPES
from ingestion.salesforce.settings import (
    BULK_PAGE_RECORDS,
    BULK_POLL_FIRST_SECONDS,
    BULK_POLL_MAX_SECONDS,
    BULK_TIMEOUT_SECONDS,
)

PAGE_ATTEMPTS = 3


class BulkJobError(RuntimeError):
    """A Bulk API 2.0 job that failed, was aborted, or did not finish in time."""


def bulk_query(
    client: RESTClient,
    api_version: str,
    soql: str,
    types: Mapping[str, str],
    operation: str = "queryAll",
    page_records: int = BULK_PAGE_RECORDS,
) -> Iterator[pa.Table]:
    """Every record of ``soql`` as Arrow tables, one per result page; ``types`` maps a field to its
    dlt data type (from describe)."""
    jobs = f"/services/data/{api_version}/jobs/query"
    created = client.post(jobs, json={"operation": operation, "query": soql})
    created.raise_for_status()
    job_id = created.json()["id"]
    _wait(client, f"{jobs}/{job_id}")
    locator = None
    while True:
        params = {"maxRecords": page_records, **({"locator": locator} if locator else {})}
        table, locator = _page(client, f"{jobs}/{job_id}/results", params, types)
        if table.num_rows:
            yield table
        if not locator or locator == "null":
            break
    try:  # best effort: an undeleted job's results expire with it after 7 days
        client.session.delete(client.base_url + f"{jobs}/{job_id}", auth=client.auth)
    except RequestException:
        pass


def _wait(client: RESTClient, path: str) -> None:
    delay, waited = BULK_POLL_FIRST_SECONDS, 0.0
    while True:
        response = client.get(path)
        response.raise_for_status()
        job = response.json()
        state = job.get("state")
        if state == "JobComplete":
            return
        if state in ("Failed", "Aborted"):
            raise BulkJobError(f"Bulk API 2.0 job {job.get('id')} on {job.get('object')} ended {state}:"
                               f" {job.get('errorMessage') or 'no error message'}")
        if waited >= BULK_TIMEOUT_SECONDS:
            raise BulkJobError(f"Bulk API 2.0 job {job.get('id')} still {state} after {waited:.0f}s")
        time.sleep(delay)
        waited += delay
        delay = min(delay * 2, BULK_POLL_MAX_SECONDS)


def _page(client: RESTClient, path: str, params: dict, types: Mapping[str, str]) -> tuple[pa.Table, str | None]:
    # A page cut short on the way can still be valid CSV with fewer rows; the record count header
    # catches it, and a locator can be read again.
    for attempt in range(PAGE_ATTEMPTS):
        response = client.get(path, params=params)
        response.raise_for_status()
        expected = int(response.headers.get("Sforce-NumberOfRecords", "-1"))
        try:
            table = read_csv(response.content, types)
        except pa.ArrowInvalid as error:
            if attempt + 1 == PAGE_ATTEMPTS:
                raise BulkJobError(f"Bulk API 2.0 results of {path} are not the CSV described: {error}") from None
            continue
        if expected < 0 or table.num_rows == expected:
            return table, response.headers.get("Sforce-Locator")
    raise BulkJobError(f"Bulk API 2.0 results of {path}: {table.num_rows} records read, {expected} announced")


def read_csv(content: bytes, types: Mapping[str, str]) -> pa.Table:
    """A Bulk API 2.0 CSV page as an Arrow table, columns typed by ``types`` (text otherwise)."""
    if not content.strip():
        return pa.table({})
    columns = {name: ARROW_TYPES.get(data_type, pa.string()) for name, data_type in types.items()}
    return pa_csv.read_csv(
        io.BytesIO(content),
        read_options=pa_csv.ReadOptions(block_size=64 << 20),
        parse_options=pa_csv.ParseOptions(newlines_in_values=True),
        convert_options=pa_csv.ConvertOptions(
            column_types=columns,
            strings_can_be_null=True,
            quoted_strings_can_be_null=True,
            null_values=[""],
            true_values=["true"],
            false_values=["false"],
        ),
    )

"""Salesforce Bulk API 2.0 query jobs over the same SObjects as the REST API.

    POST   /services/data/vXX.0/jobs/query                {"operation": "query"|"queryAll", "query": SOQL}
    GET    /services/data/vXX.0/jobs/query/{id}           job info; state UploadComplete -> InProgress -> JobComplete
    GET    /services/data/vXX.0/jobs/query/{id}/results   CSV, ?maxRecords=N&locator=L
    PATCH  /services/data/vXX.0/jobs/query/{id}           {"state": "Aborted"}
    DELETE /services/data/vXX.0/jobs/query/{id}           204

The SOQL runs when the job is created (a snapshot, as the real job's result set is); the job then
reports ``InProgress`` to its first status request and ``JobComplete`` to the next, so clients
must poll. Results are CSV as Salesforce writes them: a header row on every page, every value
double-quoted (quotes doubled), null as ``""``, booleans ``true``/``false``, datetimes
``2024-03-05T14:22:01.000Z``, LF line endings (written by bulk_csv). Pages: ``Sforce-NumberOfRecords``
and ``Sforce-Locator`` (the next page's locator, the string ``null`` after the last page). Sources of
each behaviour: ingestion/sandbox/README.md, "Bulk API 2.0".
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import orjson

from ingestion.sandbox.server.bulk_csv import csv_page
from ingestion.sandbox.server.request import Request
from ingestion.sandbox.server.responses import Response, SalesforceError, json_response
from ingestion.sandbox.server.soql import parse

DEFAULT_MAX_RECORDS = 10_000  # a page when the client gives no maxRecords ("a default value based on the service")
MAX_JOBS = 200  # kept in memory; a real org keeps jobs and results for 7 days
ORG_USER = "0055g00000RELAYAAA"


@dataclass
class Job:
    id: str
    operation: str
    sobject: str
    version: str
    table: object
    rows: np.ndarray
    fields: tuple[str, ...]
    types: dict[str, str]
    created: str
    state: str = "UploadComplete"
    polls: int = 0
    last_used: float = field(default_factory=time.monotonic)

    def info(self) -> dict:
        done = self.state == "JobComplete"
        return {
            "id": self.id, "operation": self.operation, "object": self.sobject, "createdById": ORG_USER,
            "createdDate": self.created, "systemModstamp": self.created, "state": self.state,
            "concurrencyMode": "Parallel", "contentType": "CSV", "apiVersion": float(self.version),
            "jobType": "V2Query", "lineEnding": "LF", "columnDelimiter": "COMMA",
            "numberRecordsProcessed": int(len(self.rows)) if done else 0, "retries": 0,
            "totalProcessingTime": 0, "isPkChunkingSupported": True,
        }


def _error(status: int, code: str, message: str) -> SalesforceError:
    return SalesforceError(status, code, message)


def _locator(offset: int) -> str:
    # Salesforce's locators look like base64 of the offset ("MTAwMDA" is 10000); opaque to clients.
    return base64.b64encode(str(offset).encode()).decode().rstrip("=")


def _offset(locator: str) -> int | None:
    try:
        text = base64.b64decode(locator + "=" * (-len(locator) % 4), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return int(text) if text.isdigit() else None


class BulkQueryApi:
    def __init__(self, salesforce):
        self.salesforce = salesforce
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()

    def object_of(self, job_id: str) -> str | None:
        job = self._jobs.get(job_id)
        return job.sobject if job else None

    def _job(self, job_id: str, version: str | None = None) -> Job:
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise _error(404, "NOT_FOUND", "The requested resource does not exist")
        if version is not None and version != job.version:
            raise _error(409, "API_ERROR", f"Use the API version the job was created with (v{job.version}).")
        job.last_used = time.monotonic()
        return job

    def create(self, request: Request, match: re.Match) -> Response:
        version = match.group("version")
        try:
            body = orjson.loads(request.body)
        except orjson.JSONDecodeError:
            raise _error(400, "JSON_PARSER_ERROR", "The request body is not valid JSON.") from None
        if not isinstance(body, dict):
            raise _error(400, "JSON_PARSER_ERROR", "The request body must be a JSON object.")
        unknown = set(body) - {"operation", "query", "columnDelimiter", "lineEnding", "contentType"}
        if unknown:
            raise _error(400, "INVALIDJOB", f"Unrecognized field(s) in the job: {', '.join(sorted(unknown))}")
        operation = body.get("operation")
        if operation not in ("query", "queryAll"):
            raise _error(400, "INVALIDJOB", f"Invalid operation '{operation}': use query or queryAll")
        for key, allowed in (("columnDelimiter", "COMMA"), ("lineEnding", "LF"), ("contentType", "CSV")):
            if body.get(key, allowed) != allowed:
                raise _error(400, "INVALIDJOB", f"The sandbox supports only {key} {allowed}")
        soql = body.get("query")
        if not isinstance(soql, str) or not soql.strip():
            raise _error(400, "INVALIDJOB", "A query job needs a query")
        query = parse(soql)
        # What Bulk API 2.0 does not run: aggregates (COUNT()), OFFSET, FIELDS() (as GROUP BY and
        # TYPEOF, which the sandbox's SOQL subset does not parse at all).
        if query.count:
            raise _error(400, "INVALIDJOB", "Aggregate queries (COUNT()) are not supported by Bulk API 2.0 query")
        if query.offset:
            raise _error(400, "INVALIDJOB", "OFFSET is not supported by Bulk API 2.0 query")
        if query.fields is None:
            raise _error(400, "INVALIDJOB", "FIELDS() is not supported by Bulk API 2.0 query")
        obj, fields, rows = self.salesforce.run(query, include_deleted=operation == "queryAll")
        self.salesforce.budget.charge_bulk_job()
        job = Job(
            id="750" + secrets.token_hex(8).upper()[:15], operation=operation, sobject=obj.name, version=version,
            table=obj.table, rows=rows.astype(np.int64), fields=fields, types=dict(obj.fields),
            created=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
        )
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > MAX_JOBS:
                self._jobs.popitem(last=False)
        return json_response(job.info())

    def info(self, request: Request, match: re.Match) -> Response:
        job = self._job(match.group("job"))
        with self._lock:
            if job.state in ("UploadComplete", "InProgress"):
                job.polls += 1
                job.state = "InProgress" if job.polls == 1 else "JobComplete"
        return json_response(job.info())

    def abort(self, request: Request, match: re.Match) -> Response:
        job = self._job(match.group("job"))
        try:
            body = orjson.loads(request.body)
        except orjson.JSONDecodeError:
            raise _error(400, "JSON_PARSER_ERROR", "The request body is not valid JSON.") from None
        if not isinstance(body, dict) or body.get("state") != "Aborted":
            raise _error(400, "INVALIDJOB", "A query job can only be set to the state Aborted")
        with self._lock:
            if job.state in ("JobComplete", "Failed", "Aborted"):
                raise _error(400, "INVALIDJOB", f"The job is already {job.state} and cannot be aborted")
            job.state = "Aborted"
        return json_response(job.info())

    def delete(self, request: Request, match: re.Match) -> Response:
        job = self._job(match.group("job"))
        if job.state not in ("JobComplete", "Failed", "Aborted"):
            raise _error(400, "INVALIDJOB", "Only a job in a final state (JobComplete, Aborted, Failed) can be deleted")
        with self._lock:
            self._jobs.pop(job.id, None)
        return Response(204, b"", content_type="text/plain")

    def results(self, request: Request, match: re.Match) -> Response:
        job = self._job(match.group("job"), match.group("version"))
        if job.state != "JobComplete":
            raise _error(400, "INVALIDJOB", f"The job is {job.state}: results are available once it is JobComplete")
        size = request.param("maxRecords")
        if size is None:
            page_size = DEFAULT_MAX_RECORDS
        elif size.isdigit() and int(size) > 0:
            page_size = int(size)
        else:
            raise _error(400, "INVALID_PARAMETER", f"maxRecords must be a positive integer, not '{size}'")
        locator = request.param("locator")
        start = 0
        if locator not in (None, ""):
            start = _offset(locator)
            if start is None or start > len(job.rows):
                raise _error(400, "INVALID_LOCATOR", f"Invalid locator: {locator}")
        rows = job.rows[start : start + page_size]
        end = start + len(rows)
        body = csv_page(job.table, rows, job.fields, job.types)
        headers = {
            "Sforce-Locator": _locator(end) if end < len(job.rows) else "null",
            "Sforce-NumberOfRecords": str(len(rows)),
        }
        return Response(200, body, headers, content_type="text/csv", records=len(rows))


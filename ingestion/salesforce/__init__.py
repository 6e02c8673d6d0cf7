"""Salesforce source: every SObject of the Relay contract, loaded incrementally by SystemModstamp.

Records come from ``queryAll`` so deleted records (``IsDeleted = true``, still in the recycle bin)
arrive as updates and deletes stay soft in the raw layer. The field list and column types come from
each object's describe call, as a client of a real org needs (custom fields appear as they are
added). Each run re-reads ``lookback_seconds`` behind the last SystemModstamp it loaded (late
commits), merged by Id.

Two query paths: REST (``/queryAll``, JSON pages by ``nextRecordsUrl``) for small changes, and Bulk
API 2.0 (a query job, CSV pages read by Arrow) for objects with at least ``bulk_min_records``
changed records (one ``SELECT COUNT()`` decides) and for any query whose REST URL would be too long
for Salesforce (wide objects: hundreds of custom fields). ``query_api`` forces one path.
Authentication and retries are dlt's REST client's; the daily API limit is never retried.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

import dlt
from dlt.common.typing import TDataItems
from dlt.sources import DltResource
from dlt.sources.helpers.rest_client import RESTClient

from urllib.parse import urlencode

from ingestion.arrow_pages import as_pages, declared_types
from ingestion.retries import retrying_session
from ingestion.salesforce.bulk import bulk_query
from ingestion.selectors import selector

from ingestion.salesforce.helpers import (
    QueryPaginator,
    SalesforceClientCredentials,
    build_soql,
    column_hints,
    request_limit_exceeded,
    selectable_fields,
)
from ingestion.salesforce.settings import (
    API_VERSION,
    BULK_MIN_RECORDS,
    COMMON_COLUMNS,
    CURSOR_FIELD,
    LOOKBACK_SECONDS,
    MAX_QUERY_URL_BYTES,
    PRIMARY_KEY,
    QUERY_APIS,
    SOBJECTS,
    TOKEN_PATH,
)

# New fields become new columns; a value whose type contradicts describe stops the load with an
# error naming table and column: Salesforce fields are typed, so that is a broken org or client,
# not data to guess about.
SCHEMA_CONTRACT = {"tables": "evolve", "columns": "evolve", "data_type": "freeze"}


@dlt.source(name="salesforce", max_table_nesting=0)
def salesforce_source(
    base_url: str = dlt.config.value,
    client_id: str = dlt.secrets.value,
    client_secret: str = dlt.secrets.value,
    api_version: str = API_VERSION,
    sobjects: Sequence[str] | None = None,
    lookback_seconds: float = LOOKBACK_SECONDS,
    bulk_min_records: int = BULK_MIN_RECORDS,
    query_api: str = "auto",
) -> Iterator[DltResource]:
    """One merge resource per SObject (default: all of ``settings.SOBJECTS``).

    Args:
        base_url: the org's My Domain URL (the sandbox's URL in the demo).
        client_id: the connected app's consumer key.
        client_secret: the connected app's consumer secret.
        api_version: REST API version, e.g. ``v61.0``.
        sobjects: SObject API names to load; a subset of ``settings.SOBJECTS``.
        lookback_seconds: how far behind the last loaded SystemModstamp each run starts again.
        bulk_min_records: Bulk API 2.0 from this many changed records of an object up.
        query_api: ``auto`` (by size and URL length), ``rest`` or ``bulk`` (every object).
    """
    if query_api not in QUERY_APIS:
        raise ValueError(f"sources.salesforce.query_api must be one of {', '.join(QUERY_APIS)}, not {query_api!r}")
    if lookback_seconds < 0:
        raise ValueError(f"sources.salesforce.lookback_seconds must be 0 or more, not {lookback_seconds!r}")
    base_url = base_url.rstrip("/")
    session = retrying_session(request_limit_exceeded)
    client = RESTClient(
        base_url=base_url,
        session=session,
        auth=SalesforceClientCredentials(
            access_token_url=base_url + TOKEN_PATH,
            client_id=client_id,
            client_secret=client_secret,
            session=session,
        ),
    )
    for sobject in sobjects or SOBJECTS:
        if sobject not in SOBJECTS:
            raise ValueError(f"unknown SObject {sobject!r}; known: {', '.join(SOBJECTS)}")
        yield dlt.resource(
            sobject_records,
            name=SOBJECTS[sobject],
            primary_key=PRIMARY_KEY,
            write_disposition="merge",
            columns={name: {"data_type": data_type} for name, data_type in COMMON_COLUMNS.items()},
            schema_contract=SCHEMA_CONTRACT,
        )(client, sobject, api_version, query_api, bulk_min_records,
          dlt.sources.incremental(CURSOR_FIELD, range_start="closed", lag=lookback_seconds or None))


def sobject_records(
    client: RESTClient,
    sobject: str,
    api_version: str,
    query_api: str,
    bulk_min_records: int,
    modstamp: dlt.sources.incremental[datetime] = dlt.sources.incremental(CURSOR_FIELD, range_start="closed"),
) -> Iterator[TDataItems]:
    """Pages of one SObject's records changed since the last run's last SystemModstamp less the
    lookback (all of them on the first), as Arrow tables typed by describe."""
    describe_response = client.get(f"/services/data/{api_version}/sobjects/{sobject}/describe")
    describe_response.raise_for_status()
    describe: dict[str, Any] = describe_response.json()
    soql = build_soql(sobject, selectable_fields(describe), modstamp.last_value)
    columns = column_hints(describe)
    hints = dlt.mark.make_hints(columns=list(columns.values()))
    declared = declared_types(columns)
    if _use_bulk(client, api_version, sobject, soql, modstamp.last_value, query_api, bulk_min_records):
        tables = bulk_query(client, api_version, soql, declared)
        for index, table in enumerate(tables):
            yield dlt.mark.with_hints(table, hints) if index == 0 else table
        return
    pages = client.paginate(
        f"/services/data/{api_version}/queryAll",
        params={"q": soql},
        paginator=QueryPaginator(),
        data_selector=selector("records"),
    )
    yield from as_pages(_without_attributes(pages), SOBJECTS[sobject], declared, hints=hints)


def _use_bulk(
    client: RESTClient,
    api_version: str,
    sobject: str,
    soql: str,
    modified_since: datetime | None,
    query_api: str,
    bulk_min_records: int,
) -> bool:
    if query_api != "auto":
        return query_api == "bulk"
    url = f"{client.base_url}/services/data/{api_version}/queryAll?{urlencode({'q': soql})}"
    if len(url.encode()) > MAX_QUERY_URL_BYTES:
        return True  # Salesforce would refuse the GET (414): the SOQL goes in a job's body instead
    count = client.get(
        f"/services/data/{api_version}/queryAll",
        params={"q": build_soql(sobject, ["COUNT()"], modified_since)},
    )
    count.raise_for_status()
    return int(count.json()["totalSize"]) >= bulk_min_records


def _without_attributes(pages: Iterator[list[dict[str, Any]]]) -> Iterator[list[dict[str, Any]]]:
    # Each record's `attributes` (its type and REST URL) is query-result metadata, not a field.
    for page in pages:
        for record in page:
            record.pop("attributes", None)
        yield page

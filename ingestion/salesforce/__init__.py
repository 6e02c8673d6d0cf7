"""Salesforce source: every SObject of the Relay contract, loaded incrementally by SystemModstamp.

Records come from ``/queryAll`` so deleted records (``IsDeleted = true``, still in the recycle bin)
arrive as updates and deletes stay soft in the raw layer. The field list and column types come from
each object's describe call, as a client of a real org needs (custom fields appear as they are
added). Paging, authentication and retries are dlt's REST client's.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

import dlt
from dlt.common.typing import TDataItems
from dlt.sources import DltResource
from dlt.sources.helpers.rest_client import RESTClient

from ingestion.arrow_pages import as_pages, declared_types
from ingestion.retries import retrying_session
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
    COMMON_COLUMNS,
    CURSOR_FIELD,
    PRIMARY_KEY,
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
) -> Iterator[DltResource]:
    """One merge resource per SObject (default: all of ``settings.SOBJECTS``).

    Args:
        base_url: the org's My Domain URL (the sandbox's URL in the demo).
        client_id: the connected app's consumer key.
        client_secret: the connected app's consumer secret.
        api_version: REST API version, e.g. ``v61.0``.
        sobjects: SObject API names to load; a subset of ``settings.SOBJECTS``.
    """
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
        )(client, sobject, api_version)


def sobject_records(
    client: RESTClient,
    sobject: str,
    api_version: str,
    modstamp: dlt.sources.incremental[datetime] = dlt.sources.incremental(CURSOR_FIELD, range_start="closed"),
) -> Iterator[TDataItems]:
    """Pages of one SObject's records changed since the last run (all of them on the first), as
    Arrow tables typed by describe."""
    describe_response = client.get(f"/services/data/{api_version}/sobjects/{sobject}/describe")
    describe_response.raise_for_status()
    describe: dict[str, Any] = describe_response.json()
    soql = build_soql(sobject, selectable_fields(describe), modstamp.last_value)
    columns = column_hints(describe)
    hints = dlt.mark.make_hints(columns=list(columns.values()))
    declared = declared_types(columns)
    pages = client.paginate(
        f"/services/data/{api_version}/queryAll",
        params={"q": soql},
        paginator=QueryPaginator(),
        data_selector=selector("records"),
    )
    yield from as_pages(_without_attributes(pages), SOBJECTS[sobject], declared, hints=hints)


def _without_attributes(pages: Iterator[list[dict[str, Any]]]) -> Iterator[list[dict[str, Any]]]:
    # Each record's `attributes` (its type and REST URL) is query-result metadata, not a field.
    for page in pages:
        for record in page:
            record.pop("attributes", None)
        yield page

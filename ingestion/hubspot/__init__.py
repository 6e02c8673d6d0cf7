"""HubSpot source: CRM contacts and companies, owners, marketing campaigns, emails, forms, form
submissions and email events, loaded incrementally where the API allows it.

CRM objects: the first run lists every record; later runs search for records modified since the
last run (the search API's 10,000-result cap is handled by restarting the search from the last
modification time). Archived records never appear in searches, so a second resource per CRM object
lists ``archived=true`` records into the same table: deletes stay soft (``archived = true``).
CRM ``properties`` are lifted to top-level columns and kept as text, exactly as HubSpot sends them.

Within HubSpot's limits: lists and searches ask for ids only (a URL naming a real portal's hundreds
of properties gets 414; a search body over 3,000 characters gets 400) and the records are then
batch-read 100 at a time with every property named in the POST body. Every cursor looks back
``lookback_seconds`` (search lags writes); the daily API limit fails at once, the ten-secondly one
is retried. Nested content is kept as JSON text (``MAX_TABLE_NESTING``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import dlt
import orjson
from dlt.common.typing import TDataItems
from dlt.sources import DltResource
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.auth import BearerTokenAuth
from dlt.sources.helpers.rest_client.paginators import JSONResponseCursorPaginator

from ingestion.arrow_pages import as_pages, declared_types
from ingestion.retries import retrying_session
from ingestion.selectors import selector

from ingestion.hubspot.helpers import (
    RETRY_STATUS,
    WindowedSearchPaginator,
    batch_read,
    bounded,
    hooks,
    newest_first_below,
    property_columns,
    search_body,
    submission_email,
    transient_rate_limit,
    v3_columns,
)
from ingestion.hubspot.settings import (
    ARCHIVED_CURSOR,
    DEFAULT_LOOKBACK_SECONDS,
    CRM_LIST_LIMIT,
    CRM_OBJECTS,
    CRM_OBJECTS_PATH,
    CRM_PROPERTIES_PATH,
    CRM_SEARCH_PATH,
    EMAIL_EVENT_CURSOR,
    EMAIL_EVENTS_LIMIT,
    EMAIL_EVENTS_PATH,
    FORM_SUBMISSION_CURSOR,
    FORM_SUBMISSION_KEY,
    FORM_SUBMISSIONS_LIMIT,
    FORM_SUBMISSIONS_PATH,
    LIST_LIMIT,
    LISTED_COLUMN_TYPES,
    LISTED_OBJECTS,
    LISTED_PARAMS,
    LISTED_WITHOUT_ARCHIVED,
    MAX_TABLE_NESTING,
    PRIMARY_KEY,
    UPDATED_CURSOR,
)

# New fields become new columns everywhere. CRM property values are text by design, so their
# types cannot drift; on the other objects a value of a new type lands in a variant column
# (e.g. `email_campaign_id__v_text`) instead of stopping the load: these APIs are loosely typed JSON.
SCHEMA_CONTRACT = {"tables": "evolve", "columns": "evolve", "data_type": "evolve"}

# A submission's field values stay one column of JSON text (`[{"name": ..., "value": ...}]`) rather
# than a child table: the email, the one value the models read, is lifted to its own column. Text,
# not a JSON column, because Postgres loads Arrow pages as csv, which cannot hold nested values.
FORM_SUBMISSION_COLUMNS = {
    "submittedAt": {"data_type": "bigint"},
    "email": {"data_type": "text", "nullable": True},
    "values": {"data_type": "text", "nullable": True},
}


def _after_paginator() -> JSONResponseCursorPaginator:
    return JSONResponseCursorPaginator(cursor_path="paging.next.after", cursor_param="after")


@dlt.source(name="hubspot", max_table_nesting=MAX_TABLE_NESTING)
def hubspot_source(
    base_url: str = dlt.config.value,
    access_token: str = dlt.secrets.value,
    lookback_seconds: float = DEFAULT_LOOKBACK_SECONDS,
) -> Iterator[DltResource]:
    """Every HubSpot object of the Relay contract.

    Args:
        base_url: ``https://api.hubapi.com`` for a real portal (the sandbox's URL in the demo).
        access_token: a private app's access token.
        lookback_seconds: how far back every cursor re-reads (``sources.hubspot.lookback_seconds``).
    """
    client = RESTClient(
        base_url=base_url.rstrip("/"),
        session=retrying_session(transient_rate_limit, status_codes=RETRY_STATUS),
        auth=BearerTokenAuth(token=access_token),
    )
    lag_ms = lookback_seconds * 1000  # the lag of an epoch-milliseconds cursor is in its own unit

    for object_type, modified_property in CRM_OBJECTS.items():
        yield dlt.resource(
            crm_records,
            name=object_type,
            primary_key=PRIMARY_KEY,
            write_disposition="merge",
            columns=v3_columns(),
            schema_contract=SCHEMA_CONTRACT,
        )(client, object_type, modified_property,
          dlt.sources.incremental(UPDATED_CURSOR, range_start="closed", lag=lookback_seconds))
        yield dlt.resource(
            crm_archived_records,
            name=f"{object_type}_archived",
            table_name=object_type,
            primary_key=PRIMARY_KEY,
            write_disposition="merge",
            columns=v3_columns(),
            schema_contract=SCHEMA_CONTRACT,
        )(client, object_type, dlt.sources.incremental(
            ARCHIVED_CURSOR, range_start="closed", on_cursor_value_missing="include", lag=lookback_seconds
        ))

    for table, path in LISTED_OBJECTS.items():
        yield dlt.resource(
            listed_records,
            name=table,
            primary_key=PRIMARY_KEY,
            write_disposition="merge",
            columns=_listed_columns(table),
            schema_contract=SCHEMA_CONTRACT,
        )(client, table, path)

    yield dlt.resource(
        form_submissions,
        name="form_submissions",
        primary_key=FORM_SUBMISSION_KEY,
        write_disposition="merge",
        columns=FORM_SUBMISSION_COLUMNS,
        schema_contract=SCHEMA_CONTRACT,
    )(client, dlt.sources.incremental(FORM_SUBMISSION_CURSOR, range_start="closed", lag=lag_ms))

    yield dlt.resource(
        email_events,
        name="email_events",
        primary_key=PRIMARY_KEY,
        write_disposition="merge",
        columns={"created": {"data_type": "bigint"}},
        schema_contract=SCHEMA_CONTRACT,
    )(client, dlt.sources.incremental(EMAIL_EVENT_CURSOR, range_start="closed", lag=lag_ms))


def crm_records(
    client: RESTClient,
    object_type: str,
    modified_property: str,
    updated: dlt.sources.incremental[datetime] = dlt.sources.incremental(UPDATED_CURSOR, range_start="closed"),
) -> Iterator[TDataItems]:
    """Active records: all of them on the first run, then those modified since the last run (less
    the lookback). Lists and searches name only the modification property; batch reads fetch the
    records with every property."""
    properties = _property_names(client, object_type)
    columns = property_columns(properties)
    hints = dlt.mark.make_hints(columns=list(columns.values()))
    if updated.last_value is None:
        id_pages = client.paginate(
            CRM_OBJECTS_PATH.format(object_type=object_type),
            params={"limit": CRM_LIST_LIMIT, "properties": modified_property, "archived": "false"},
            paginator=_after_paginator(),
            data_selector=selector("results"),
            hooks=hooks(),
        )
    else:
        id_pages = client.paginate(
            CRM_SEARCH_PATH.format(object_type=object_type),
            method="POST",
            json=search_body(modified_property, updated.last_value, [modified_property]),
            paginator=WindowedSearchPaginator(modified_property),
            data_selector=selector("results"),
            hooks=hooks(),
        )
    pages = batch_read(client, object_type, id_pages, properties, archived=False)
    yield from as_pages(pages, object_type, declared_types(columns), lift="properties", key=PRIMARY_KEY, hints=hints)


def crm_archived_records(
    client: RESTClient,
    object_type: str,
    archived_at: dlt.sources.incremental[datetime] = dlt.sources.incremental(
        ARCHIVED_CURSOR, range_start="closed", on_cursor_value_missing="include"
    ),
) -> Iterator[TDataItems]:
    """Archived records (HubSpot's soft deletes), listed whole (ids only, then batch-read with
    ``archived=true``); only newly archived ones are written."""
    properties = _property_names(client, object_type)
    columns = property_columns(properties)
    hints = dlt.mark.make_hints(columns=list(columns.values()))
    id_pages = client.paginate(
        CRM_OBJECTS_PATH.format(object_type=object_type),
        params={"limit": CRM_LIST_LIMIT, "properties": CRM_OBJECTS[object_type], "archived": "true"},
        paginator=_after_paginator(),
        data_selector=selector("results"),
        hooks=hooks(),
    )
    pages = batch_read(client, object_type, id_pages, properties, archived=True)
    yield from as_pages(pages, object_type, declared_types(columns), lift="properties", key=PRIMARY_KEY, hints=hints)


def _listed_columns(table: str) -> dict[str, dict[str, Any]]:
    """Column hints of a listed object: the v3 timestamps, the properties it asks for (columns even
    while every value is empty) and its declared field types."""
    params = LISTED_PARAMS.get(table, {})
    columns = property_columns(params["properties"].split(",")) if "properties" in params else v3_columns()
    columns.update(
        {name: {"name": name, "data_type": kind, "nullable": True} for name, kind in LISTED_COLUMN_TYPES.get(table, {}).items()}
    )
    return columns


def listed_records(client: RESTClient, table: str, path: str) -> Iterator[TDataItems]:
    """A small object (owners, campaigns, emails, forms) listed whole on every run, archived
    records included where the API lists them; merge on the id makes the rerun idempotent.
    Nested values (an email's content, a form's field groups) arrive as JSON text."""
    params = LISTED_PARAMS.get(table, {})
    columns = _listed_columns(table)
    hints = dlt.mark.make_hints(columns=list(columns.values()))
    passes = ({},) if table in LISTED_WITHOUT_ARCHIVED else ({"archived": "false"}, {"archived": "true"})
    pages = (
        bounded(page, lift="properties")
        for archived in passes
        for page in client.paginate(
            path,
            params={"limit": LIST_LIMIT, **params, **archived},
            paginator=_after_paginator(),
            data_selector=selector("results"),
            hooks=hooks(),
        )
    )
    yield from as_pages(pages, table, declared_types(columns), lift="properties", key=PRIMARY_KEY, hints=hints)


def form_submissions(
    client: RESTClient,
    submitted: dlt.sources.incremental[int] = dlt.sources.incremental(
        FORM_SUBMISSION_CURSOR, range_start="closed"
    ),
) -> Iterator[TDataItems]:
    """Submissions of every form (archived forms too: their submissions stay facts).

    The API has no time filter; it answers newest first, so paging a form stops at the first page
    that reaches back before the last run's newest submission. (A server that answers oldest first
    is paged to the end; the incremental filter still writes only new submissions.)"""
    forms = [
        form
        for archived in ("false", "true")
        for forms_page in client.paginate(
            LISTED_OBJECTS["forms"],
            params={"limit": LIST_LIMIT, **LISTED_PARAMS["forms"], "archived": archived},
            paginator=_after_paginator(),
            data_selector=selector("results"),
            hooks=hooks(),
        )
        for form in forms_page
    ]
    # start_value, not last_value: last_value moves up as earlier forms' submissions pass the
    # incremental, and would stop a later form's paging before its own new submissions
    last_run_newest = submitted.start_value
    for form in forms:
        form_id = form["id"]
        pages = client.paginate(
            FORM_SUBMISSIONS_PATH.format(form_id=form_id),
            params={"limit": FORM_SUBMISSIONS_LIMIT},
            paginator=_after_paginator(),
            data_selector=selector("results"),
            hooks=hooks(),
        )
        yield from as_pages(
            _new_submissions(pages, form_id, last_run_newest),
            "form_submissions",
            declared_types(FORM_SUBMISSION_COLUMNS),
            key=FORM_SUBMISSION_KEY,
        )


def _new_submissions(pages: Iterator[list[dict[str, Any]]], form_id: str, last_submitted: int | None) -> Iterator[list[dict[str, Any]]]:
    """A form's submission pages with their form id and email lifted and their values as JSON
    text, until a page (newest first) reaches back before the last run's newest submission."""
    for page in pages:
        for submission in page:
            submission.setdefault("formId", form_id)
            values = submission.get("values")
            submission["email"] = submission_email(values)
            if values is not None:
                submission["values"] = orjson.dumps(values).decode()
        yield bounded(page)
        if newest_first_below(page, FORM_SUBMISSION_CURSOR, last_submitted):
            break


def email_events(
    client: RESTClient,
    created: dlt.sources.incremental[int] = dlt.sources.incremental(EMAIL_EVENT_CURSOR, range_start="closed"),
) -> Iterator[TDataItems]:
    """Email events created since the last run (the API filters by ``startTimestamp``)."""
    params: dict[str, Any] = {"limit": EMAIL_EVENTS_LIMIT}
    if created.last_value is not None:
        params["startTimestamp"] = created.last_value
    pages = client.paginate(
        EMAIL_EVENTS_PATH,
        params=params,
        paginator=JSONResponseCursorPaginator(cursor_path="offset", cursor_param="offset", has_more_path="hasMore"),
        data_selector=selector("events"),
        hooks=hooks(),
    )
    yield from as_pages((bounded(page) for page in pages), "email_events", {EMAIL_EVENT_CURSOR: "bigint"}, key=PRIMARY_KEY)


def _property_names(client: RESTClient, object_type: str) -> list[str]:
    """The object's property names from the properties API, as a real client discovers them."""
    response = client.get(CRM_PROPERTIES_PATH.format(object_type=object_type), hooks=hooks())
    return [prop["name"] for prop in response.json().get("results", [])]

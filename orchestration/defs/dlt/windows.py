"""Turning a partition window into dlt incremental bounds for each resource of a source.

A backfill of past days re-loads only records changed inside the window: every incremental
resource gets ``initial_value``/``end_value`` (dlt then leaves the incremental state alone), in
the cursor's own type (timestamps where the sources type the cursor column, epoch milliseconds
where the API sends those). Resources listed whole (owners, forms, ...) load whole.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import dlt
from dlt.sources import DltSource

from ingestion.hubspot import settings as hubspot
from ingestion.salesforce import settings as salesforce


def _utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC)


def _epoch_ms(moment: dt.datetime) -> int:
    return int(moment.timestamp() * 1000)


Formatter = Callable[[dt.datetime], object]

# (source, resource name) -> (cursor field, format of its values). Resource names come from
# ingestion/<source>/__init__.py; a resource not listed here has no incremental cursor.
CURSORS: dict[tuple[str, str], tuple[str, Formatter]] = {
    **{("salesforce", table): (salesforce.CURSOR_FIELD, _utc) for table in salesforce.SOBJECTS.values()},
    **{("hubspot", name): (hubspot.UPDATED_CURSOR, _utc) for name in hubspot.CRM_OBJECTS},
    **{("hubspot", f"{name}_archived"): (hubspot.ARCHIVED_CURSOR, _utc) for name in hubspot.CRM_OBJECTS},
    ("hubspot", "email_events"): (hubspot.EMAIL_EVENT_CURSOR, _epoch_ms),
    ("hubspot", "form_submissions"): (hubspot.FORM_SUBMISSION_CURSOR, _epoch_ms),
}


def restrict_to_window(source: DltSource, start: dt.datetime, end: dt.datetime) -> DltSource:
    """Bound every incremental resource of ``source`` to changes in ``[start, end)``."""
    for resource in source.selected_resources.values():
        cursor = CURSORS.get((source.name, resource.name))
        if cursor is None:
            continue
        field, fmt = cursor
        resource.apply_hints(
            incremental=dlt.sources.incremental(
                field, initial_value=fmt(start), end_value=fmt(end), range_start="closed", range_end="open"
            )
        )
    return source

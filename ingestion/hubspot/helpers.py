"""The HubSpot specifics dlt's REST client does not already know: search paging past the
10,000-result cap, batch reads of wide records, the two rate limits, the nesting bound, column
hints of CRM objects, and form-submission field values."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

import orjson
from dlt.sources.helpers.requests.retry import DEFAULT_RETRY_STATUS
from dlt.sources.helpers.rest_client import RESTClient
from dlt.sources.helpers.rest_client.paginators import JSONResponseCursorPaginator
from requests import HTTPError, Request, Response

from ingestion.hubspot.settings import (
    CRM_BATCH_READ_LIMIT,
    CRM_BATCH_READ_PATH,
    CRM_SEARCH_LIMIT,
    CRM_SEARCH_MAX_RESULTS,
    V3_TIMESTAMP_COLUMNS,
)

# 429 is retried only when it is the ten-secondly limit (``transient_rate_limit``): the daily one
# does not clear until midnight.
RETRY_STATUS = tuple(status for status in DEFAULT_RETRY_STATUS if status != 429)


class DailyLimitExceeded(RuntimeError):
    """The portal's daily API budget is spent: retrying before it renews only spends more."""


def _daily_policy(response: Response) -> bool:
    if response.status_code != 429:
        return False
    if response.headers.get("X-HubSpot-RateLimit-Daily-Remaining") == "0":
        return True
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return False
    return isinstance(body, dict) and body.get("policyName") == "DAILY"


def transient_rate_limit(response: Response | None, exception: BaseException | None) -> bool:
    """Retry condition: a 429 of the rolling ten-secondly limit (honouring Retry-After)."""
    return response is not None and response.status_code == 429 and not _daily_policy(response)


def raise_for_status(response: Response, *args: Any, **kwargs: Any) -> None:
    """Response hook: the daily limit fails at once with one line naming it and when it resets;
    any other error status raises ``HTTPError`` (retried by the session where it is transient)."""
    if _daily_policy(response):
        daily = response.headers.get("X-HubSpot-RateLimit-Daily")
        budget = f" of {daily} requests" if daily else ""
        raise DailyLimitExceeded(
            f"HubSpot's daily API limit{budget} is used up (429, policy DAILY) at {response.request.method}"
            f" {response.request.path_url.split('?')[0]}; it resets at midnight in the portal's time zone"
            " (HubSpot account settings). Not retried: run again after the reset."
        )
    if response.status_code >= 400:
        raise HTTPError(f"{response.status_code} {response.reason}", response=response)


def hooks() -> dict[str, list[Any]]:
    return {"response": [raise_for_status]}


def batch_read(
    client: RESTClient, object_type: str, id_pages: Iterable[list[Mapping[str, Any]]], properties: list[str],
    archived: bool,
) -> Iterator[list[dict[str, Any]]]:
    """Whole records for pages of ids (from a list or a search), every property named in the body:
    a URL naming hundreds of properties gets 414. Ids the read no longer finds (deleted or archived
    since they were listed; a 207 answer) are left to the archived listing and the next run."""
    path = CRM_BATCH_READ_PATH.format(object_type=object_type)
    for page in id_pages:
        ids = [record["id"] for record in page]
        for start in range(0, len(ids), CRM_BATCH_READ_LIMIT):
            body = {
                "inputs": [{"id": record_id} for record_id in ids[start : start + CRM_BATCH_READ_LIMIT]],
                "properties": properties,
                "propertiesWithHistory": [],
            }
            response = client.post(path, json=body, params={"archived": str(archived).lower()}, hooks=hooks())
            yield response.json()["results"]


def bounded(records: list[dict[str, Any]], lift: str | None = None) -> list[dict[str, Any]]:
    """The nesting bound: every list or object value of a record (of its ``lift`` object's members,
    once lifted) becomes JSON text, so nested content is one column whatever its depth."""
    for record in records:
        for name, value in record.items():
            if name == lift and isinstance(value, dict):
                for member, inner in value.items():
                    if isinstance(inner, (dict, list)):
                        value[member] = orjson.dumps(inner).decode()
            elif isinstance(value, (dict, list)):
                record[name] = orjson.dumps(value).decode()
    return records


class SearchWindowError(RuntimeError):
    """More records share one last-modified value than a single search may return."""


def epoch_ms(value: str | datetime) -> int:
    """Epoch milliseconds of a datetime or a HubSpot ISO-8601 timestamp (``2024-03-05T14:22:01.000Z``)."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return round(value.timestamp() * 1000)


def search_body(sort_property: str, modified_since: str | datetime, properties: list[str]) -> dict[str, Any]:
    """A CRM search for records modified at or after ``modified_since``, oldest first."""
    return {
        "filterGroups": [
            {"filters": [{"propertyName": sort_property, "operator": "GTE", "value": str(epoch_ms(modified_since))}]}
        ],
        "sorts": [{"propertyName": sort_property, "direction": "ASCENDING"}],
        "properties": properties,
        "limit": CRM_SEARCH_LIMIT,
    }


class WindowedSearchPaginator(JSONResponseCursorPaginator):
    """Pages a CRM search by ``paging.next.after`` and, before the 10,000-result cap, starts a new
    search from the last record's modification time (results are sorted by it, ascending).

    The record at the window boundary comes back in the next window; merge on the primary key
    makes that harmless."""

    def __init__(self, sort_property: str, max_results: int = CRM_SEARCH_MAX_RESULTS) -> None:
        super().__init__(cursor_path="paging.next.after", cursor_body_path="after")
        self.sort_property = sort_property
        self.max_results = max_results
        self._window_rows = 0
        self._window_start: str | None = None
        self._restart_from: str | None = None

    def update_state(self, response: Response, data: list[Any] | None = None) -> None:
        super().update_state(response, data)
        self._window_rows += len(data or [])
        limit = CRM_SEARCH_LIMIT
        if self._next_reference is not None and self._window_rows + limit > self.max_results:
            last = (data or [{}])[-1].get("properties", {}).get(self.sort_property)
            if not last or last == self._window_start:
                raise SearchWindowError(
                    f"more than {self.max_results} records share {self.sort_property} = {last}; the"
                    " search API cannot page past them. Run a full refresh of this object."
                )
            self._restart_from = last
            self._window_start = last
            self._window_rows = 0

    def update_request(self, request: Request) -> None:
        if self._restart_from is None:
            super().update_request(request)
            return
        body = request.json
        body.pop("after", None)
        body["filterGroups"][0]["filters"][0]["value"] = str(_to_epoch_ms(self._restart_from))
        self._restart_from = None


def _to_epoch_ms(value: str) -> int:
    # Property values are ISO timestamps in the v3 API; older portals answer epoch milliseconds.
    return int(value) if value.isdigit() else epoch_ms(value)


def property_columns(properties: list[str]) -> dict[str, dict[str, Any]]:
    """Column hints for a v3 object: property values stay text, as HubSpot sends them (staging
    casts them); the record timestamps are timestamps and ``archived`` a boolean."""
    columns: dict[str, dict[str, Any]] = {
        name: {"name": name, "data_type": "text", "nullable": True} for name in properties
    }
    columns.update(v3_columns())
    return columns


def v3_columns() -> dict[str, dict[str, Any]]:
    columns: dict[str, dict[str, Any]] = {
        name: {"name": name, "data_type": "timestamp", "nullable": True} for name in V3_TIMESTAMP_COLUMNS
    }
    columns["archived"] = {"name": "archived", "data_type": "bool", "nullable": True}
    return columns


def submission_email(values: list[Mapping[str, Any]] | None) -> str | None:
    """The ``email`` field of a form submission, if the form has one."""
    for value in values or []:
        if value.get("name") == "email":
            return value.get("value")
    return None


def newest_first_below(page: list[Mapping[str, Any]], cursor: str, start: Any) -> bool:
    """Whether a page sorted newest first ends below ``start`` (older pages hold nothing new)."""
    if start is None or not page:
        return False
    values = [item.get(cursor) for item in page]
    if any(value is None for value in values) or values != sorted(values, reverse=True):
        return False
    return values[-1] < start

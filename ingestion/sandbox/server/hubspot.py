"""The HubSpot APIs over ``<dir>/hubspot/<object>.jsonl``: CRM v3 objects (list, read, search,
properties), owners, marketing campaigns, emails and forms, form submissions and email events.

Paging: CRM lists page by record id (``after`` is the next id, as HubSpot does), so a rewrite
between pages neither repeats nor skips a record that exists in both versions. The other lists
page with an opaque token naming the table version and a position; the previous version of a file
is kept, so paging that started before a rewrite finishes on the data it started with. Search pages
by offset (``after`` is a number) and is capped at 10,000 results, like HubSpot's.
"""

from __future__ import annotations

import base64
import os
import re
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlencode

import numpy as np
import orjson

from ingestion.sandbox.catalog import declared_fields
from ingestion.sandbox.server.columns import Column, DATE_RE, DATETIME_RE, infer_kind, parse_datetime_ms
from ingestion.sandbox.server.request import Request
from ingestion.sandbox.server.responses import (
    ApiError,
    HubSpotError,
    Response,
    hs_not_found,
    hs_validation,
    json_response,
    spliced_response,
)
from ingestion.sandbox.server.tables import Profile, Table, TableStore, empty_table

API = "hubspot"
SEARCH_CAP = 10_000
SEARCH_MAX_LIMIT = 200
LIST_MAX_LIMIT = 100
# The strict side of the public reports (ingestion/sandbox/README.md, "HubSpot limits"): a request
# target (path plus query string, as sent) longer than this is refused with 414 by the front proxy.
URI_MAX_CHARS = 8_000
# "a query can contain a maximum of 3,000 characters" (CRM search docs), read strictly: the body.
SEARCH_BODY_MAX_CHARS = 3_000
BATCH_MAX_INPUTS = 100
BATCH_HISTORY_MAX_INPUTS = 50
CAMPAIGNS_DEFAULT_LIMIT = 50
FORM_TYPES = ("hubspot", "captured", "flow", "blog_comment", "all")
# Professional portals: 500,000 requests a day (developers.hubspot.com/apisbytier).
DAILY_LIMIT_HEADER_VALUE = 500_000

# Files that are not CRM objects: each has its own endpoint.
NON_CRM_FILES = {"owners", "campaigns", "marketing_emails", "email_events", "forms", "form_submissions"}
DEFAULT_PROPERTIES = {
    "contacts": ("firstname", "lastname", "email", "createdate", "lastmodifieddate", "hs_object_id"),
    "companies": ("name", "domain", "createdate", "hs_lastmodifieddate", "hs_object_id"),
}
FALLBACK_PROPERTIES = ("createdate", "hs_lastmodifieddate", "hs_object_id")


def _prop(name: str) -> Callable[[dict], object]:
    return lambda r: (r.get("properties") or {}).get(name)


def _crm_row(r: dict) -> tuple:
    props = r.get("properties") or {}
    return r.get("id"), r.get("archived"), props.get("lastmodifieddate"), props.get("hs_lastmodifieddate")


CRM_PROFILE = Profile(
    keys={
        "id": (lambda r: r.get("id"), "number"),
        "archived": (lambda r: r.get("archived"), "bool"),
        "p:lastmodifieddate": (_prop("lastmodifieddate"), "datetime"),
        "p:hs_lastmodifieddate": (_prop("hs_lastmodifieddate"), "datetime"),
    },
    fields_of=lambda r: r.get("properties") or {},
    numeric_strings=True,
    row=_crm_row,
)
PLAIN_PROFILE = Profile(
    keys={"archived": (lambda r: r.get("archived"), "bool")},
    fields_of=lambda r: r,
    row=lambda r: (r.get("archived"),),
)
EVENTS_PROFILE = Profile(keys={"created": (lambda r: r.get("created"), "number")}, fields_of=lambda r: r,
                         row=lambda r: (r.get("created"),))
SUBMISSIONS_PROFILE = Profile(
    keys={"formId": (lambda r: r.get("formId"), "string"), "submittedAt": (lambda r: r.get("submittedAt"), "number")},
    fields_of=lambda r: r,
    row=lambda r: (r.get("formId"), r.get("submittedAt")),
)
_GROUPS = {"contacts": "contactinformation", "companies": "companyinformation"}
_MARKETING_FILES = {"campaigns": "campaigns", "emails": "marketing_emails", "forms": "forms"}


class UriTooLong(ApiError):
    """HubSpot's front proxy refuses an over-long request target before the API sees it: 414 with an
    HTML page, not the API's JSON error (the body Airbyte #33976 shows)."""

    def response(self) -> Response:
        page = (b"<html>\r\n<head><title>414 Request-URI Too Large</title></head>\r\n<body>\r\n"
                b"<center><h1>414 Request-URI Too Large</h1></center>\r\n</body>\r\n</html>\r\n")
        return Response(414, page, content_type="text/html")


class HubSpotApi:
    """The HubSpot endpoints. ``search_lag_seconds``: how far the search index trails writes (a
    search answers from the file version that was current that long ago). ``daily_limit``: the
    portal's daily request budget (None: unlimited), spent by every authenticated request and
    renewed at midnight UTC (the sandbox portal's time zone)."""

    def __init__(self, store: TableStore, token: str, search_lag_seconds: float = 0.0,
                 daily_limit: int | None = None):
        self.store = store
        self.token = token
        self.search_lag_seconds = float(search_lag_seconds)
        self.daily_limit = daily_limit
        self._used_today = 0
        self._day = _utc_day()
        self._lock = threading.Lock()
        self._seen: dict[str, list[tuple[float, Table]]] = {}  # CRM file -> versions seen, oldest first

    # --- limits in front of every endpoint ---------------------------------------------------

    def check_uri(self, request: Request) -> None:
        if len(request.target) > URI_MAX_CHARS:
            raise UriTooLong(414, "Request-URI Too Large")

    def spend_daily(self) -> None:
        """Count one request against the daily budget; 429 DAILY once it is spent (until midnight)."""
        with self._lock:
            today = _utc_day()
            if today != self._day:
                self._day, self._used_today = today, 0
            if self.daily_limit is None:
                return
            if self._used_today >= self.daily_limit:
                raise HubSpotError(
                    429, "RATE_LIMITS", "You have reached your daily limit.",
                    headers={
                        "X-HubSpot-RateLimit-Daily": str(self.daily_limit),
                        "X-HubSpot-RateLimit-Daily-Remaining": "0",
                    },
                    extra={"errorType": "RATE_LIMIT", "policyName": "DAILY", "requestId": _request_id()},
                )
            self._used_today += 1

    def limits(self) -> dict:
        with self._lock:
            return {"search_lag_seconds": self.search_lag_seconds, "daily_limit": self.daily_limit,
                    "used_today": self._used_today}

    def set_limits(self, settings: dict) -> dict:
        """Admin: change ``search_lag_seconds`` and/or ``daily_limit`` (the day's usage restarts)."""
        unknown = set(settings) - {"search_lag_seconds", "daily_limit"}
        if unknown:
            raise ValueError(f"unknown setting(s) {sorted(unknown)}; allowed: daily_limit, search_lag_seconds")
        lag = settings.get("search_lag_seconds", self.search_lag_seconds)
        limit = settings.get("daily_limit", self.daily_limit)
        if not isinstance(lag, (int, float)) or isinstance(lag, bool) or lag < 0:
            raise ValueError("search_lag_seconds must be a non-negative number")
        if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 0):
            raise ValueError("daily_limit must be a non-negative integer or null")
        with self._lock:
            self.search_lag_seconds, self.daily_limit, self._used_today = float(lag), limit, 0
        return self.limits()

    def authorize(self, request: Request) -> None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or token.strip() != self.token:
            raise HubSpotError(
                401, "INVALID_AUTHENTICATION",
                "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can "
                "find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
            )

    def object_of(self, request: Request, match: re.Match) -> str | None:
        """The file a request reads (``emails`` -> ``marketing_emails``), for faults and statistics."""
        groups = match.groupdict()
        if groups.get("kind"):
            return _MARKETING_FILES[groups["kind"]]
        return groups.get("object")

    # --- CRM objects --------------------------------------------------------------------------

    def _crm_table(self, name: str) -> Table:
        """The object's current table; an object the portal declares without a file is empty."""
        table = None if name in NON_CRM_FILES else self.store.get(API, name, CRM_PROFILE)
        if table is None:
            if name in NON_CRM_FILES or declared_fields(self.store.root, API, name) is None:
                raise hs_validation(f"Unable to infer object type from: {name}")
            return empty_table(name, Path(name), CRM_PROFILE)
        self._note_version(name, table)
        return table

    def _note_version(self, name: str, table: Table) -> None:
        """Remember when each version of a CRM file was written, for the lagging search index."""
        with self._lock:
            versions = self._seen.setdefault(name, [])
            if not versions or versions[-1][1] is not table:
                try:
                    written = os.stat(table.path).st_mtime
                except OSError:
                    written = time.time()
                versions.append((written, table))
            self._indexed(versions)

    def _indexed(self, versions: list[tuple[float, Table]]) -> Table:
        """The version the search index has caught up with: the newest one written at least
        ``search_lag_seconds`` ago (the oldest version seen, if none is that old yet). Older
        versions are behind the index for good and are forgotten."""
        cutoff = time.time() - self.search_lag_seconds
        indexed = [i for i, (written, _) in enumerate(versions) if written <= cutoff]
        del versions[: indexed[-1] if indexed else 0]
        return versions[0][1]

    def _search_table(self, name: str) -> Table:
        current = self._crm_table(name)
        if current.version == 0:  # declared, no file: nothing to index
            return current
        with self._lock:
            return self._indexed(self._seen[name])

    def _id_order(self, table: Table, archived: bool) -> tuple[np.ndarray, np.ndarray]:
        """Rows with the given archived flag, sorted by id, and their ids (the paging keys)."""

        def compute():
            ids = table.keys["id"]
            flag = table.keys["archived"]
            is_archived = flag.values & ~flag.null
            rows = np.flatnonzero((is_archived == archived) & ~ids.null)
            rows = rows[np.argsort(ids.values[rows], kind="stable")]
            return rows, ids.values[rows]

        return table.derived(("ids", archived), compute)

    def list_objects(self, request: Request, match: re.Match) -> Response:
        name = match.group("object")
        table = self._crm_table(name)
        limit = _limit(request.param("limit"), default=10, maximum=LIST_MAX_LIMIT)
        archived = _flag(request.param("archived"), "archived")
        properties = _properties(request.query.get("properties"), name)
        associations = _list_param(request.query.get("associations"))
        rows, ids = self._id_order(table, archived)
        after = request.param("after")
        start = 0
        if after:
            try:
                start = int(np.searchsorted(ids, float(after), side="left"))
            except ValueError:
                raise hs_validation(f"Invalid 'after' value: {after}") from None
        page = rows[start : start + limit]
        results = [_crm_record(r, properties, associations) for r in table.records(page)]
        body: dict = {"results": results}
        if start + limit < len(rows):
            next_after = str(int(ids[start + limit]))
            body["paging"] = {"next": {"after": next_after, "link": _link(request, after=next_after)}}
        return json_response(body, records=len(results))

    def read_object(self, request: Request, match: re.Match) -> Response:
        name, record_id = match.group("object"), match.group("record_id")
        table = self._crm_table(name)
        archived = _flag(request.param("archived"), "archived")
        rows, ids = self._id_order(table, archived)
        try:
            position = int(np.searchsorted(ids, float(record_id)))
        except ValueError:
            raise hs_not_found("Object not found. objectId are usually numeric.") from None
        if position >= len(ids) or ids[position] != float(record_id):
            raise hs_not_found(f"Object not found. objectId: {record_id}")
        record = table.record(int(rows[position]))
        properties = _properties(request.query.get("properties"), name)
        associations = _list_param(request.query.get("associations"))
        return json_response(_crm_record(record, properties, associations), records=1)

    def batch_read(self, request: Request, match: re.Match) -> Response:
        """``POST .../batch/read``: up to 100 ids (50 with property history), properties in the body.
        Ids not found come back as one OBJECT_NOT_FOUND error with status 207 (Multi-Status)."""
        name = match.group("object")
        body = _json_body(request)
        table = self._crm_table(name)
        archived = _flag(request.param("archived"), "archived")
        for key in ("inputs", "properties", "propertiesWithHistory"):
            if not isinstance(body.get(key), list):
                raise hs_validation(f"Invalid input JSON: '{key}' is required and must be a list")
        inputs, history = body["inputs"], body["propertiesWithHistory"]
        if not all(isinstance(item, dict) and isinstance(item.get("id"), str) for item in inputs):
            raise hs_validation("Invalid input JSON: each input must be an object with a string id")
        if not all(isinstance(n, str) for n in body["properties"] + history):
            raise hs_validation("properties and propertiesWithHistory must be lists of property names")
        maximum = BATCH_HISTORY_MAX_INPUTS if history else BATCH_MAX_INPUTS
        if len(inputs) > maximum:
            which = "for property histories " if history else ""
            raise hs_validation(f"The maximum number of inputs supported in a batch request {which}is {maximum}. "
                                "Please reduce the number of items and try again")
        id_property = body.get("idProperty")
        if id_property is not None and not isinstance(id_property, str):
            raise hs_validation("idProperty must be a property name")
        started = _now_iso()
        rows, ids = self._id_order(table, archived)
        keys = None if id_property in (None, "hs_object_id") else self._column(table, id_property)
        properties = _properties(body["properties"] or None, name)
        found: dict[int, None] = {}
        missing: list[str] = []
        for item in inputs:
            row = self._find_row(table, rows, ids, keys, item["id"], archived)
            if row is None:
                missing.append(item["id"])
            else:
                found.setdefault(row, None)
        results = []
        for record in table.records(np.array(list(found), dtype=np.int64)):
            out = _crm_record(record, properties, ())
            if history:
                props = record.get("properties") or {}
                out["propertiesWithHistory"] = {
                    prop: [{"value": props[prop], "timestamp": record.get("updatedAt"), "sourceType": "API"}]
                    for prop in history if props.get(prop) is not None
                }
            results.append(out)
        payload: dict = {"status": "COMPLETE", "results": results, "startedAt": started, "completedAt": _now_iso()}
        if not missing:
            return json_response(payload, records=len(results))
        payload["numErrors"] = 1
        payload["errors"] = [{
            "status": "error", "category": "OBJECT_NOT_FOUND",
            "message": f"Could not get some {_singular(name)} objects, they may be deleted or not exist. "
                       "Check that ids are valid.",
            "context": {"ids": missing},
        }]
        return json_response(payload, status=207, records=len(results))

    def _find_row(self, table: Table, rows: np.ndarray, ids: np.ndarray, keys: Column | None, wanted: str,
                  archived: bool) -> int | None:
        if keys is None:
            try:
                number = float(wanted)
            except ValueError:
                return None
            position = int(np.searchsorted(ids, number))
            return int(rows[position]) if position < len(ids) and ids[position] == number else None
        flag = table.keys["archived"]
        is_archived = flag.values & ~flag.null
        value = _coerce(keys, wanted, "idProperty") if keys.kind != "string" else wanted.lower()
        hits = np.flatnonzero(_matches(keys, "EQ", value) & (is_archived == archived))
        return int(hits[0]) if len(hits) else None

    def properties(self, request: Request, match: re.Match) -> Response:
        """The object's declared properties (standard plus custom, catalog + ``schema.json``);
        inferred from the records only for a file no declaration names."""
        name = match.group("object")
        declared = declared_fields(self.store.root, API, name)
        if declared is None or name in NON_CRM_FILES and name != "campaigns":
            table = self._crm_table(name)
            declared = _inferred_properties(table, name)
        group = _GROUPS.get(name, f"{name}information")
        results = [_property_definition(prop, order, group) for order, prop in enumerate(declared)]
        return json_response({"results": results})

    def search(self, request: Request, match: re.Match) -> Response:
        name = match.group("object")
        size = len(request.body.decode("utf-8", errors="replace"))
        if size > SEARCH_BODY_MAX_CHARS:
            raise hs_validation(
                f"The search request is {size} characters long; a query can contain a maximum of "
                f"{SEARCH_BODY_MAX_CHARS:,} characters."
            )
        body = _json_body(request)
        table = self._search_table(name)
        limit = _limit(body.get("limit"), default=10, maximum=SEARCH_MAX_LIMIT)
        try:
            after = int(body.get("after") or 0)
            if after < 0:
                raise ValueError
        except (TypeError, ValueError):
            raise hs_validation(f"Invalid 'after' value: {body.get('after')}") from None
        if after + limit > SEARCH_CAP:
            raise hs_validation(
                f"The search endpoints are limited to {SEARCH_CAP} results; after ({after}) plus limit "
                f"({limit}) goes beyond it. Narrow the query instead of paging further."
            )
        mask = self._search_mask(table, body.get("filterGroups") or [])
        flag = table.keys["archived"]
        mask &= ~(flag.values & ~flag.null)  # search never returns archived records
        rows = np.flatnonzero(mask)
        rows = self._search_order(table, rows, body.get("sorts") or [])
        total = len(rows)
        page = rows[after : after + limit]
        properties = _properties(body.get("properties") or None, name)
        results = [_crm_record(r, properties, ()) for r in table.records(page)]
        out: dict = {"total": total, "results": results}
        if after + limit < total:
            out["paging"] = {"next": {"after": str(after + limit)}}
        return json_response(out, records=len(results))

    def _column(self, table: Table, prop: str) -> Column:
        if prop in ("id", "hs_object_id") and "hs_object_id" not in table.fields:
            return table.keys["id"]
        return table.column(f"p:{prop}", _prop(prop))

    def _search_mask(self, table: Table, groups: list) -> np.ndarray:
        if not isinstance(groups, list) or len(groups) > 5:
            raise hs_validation("A search request can have at most 5 filterGroups")
        if not groups:
            return np.ones(table.size, dtype=bool)
        mask = np.zeros(table.size, dtype=bool)
        total_filters = 0
        for group in groups:
            filters = group.get("filters") if isinstance(group, dict) else None
            if not isinstance(filters, list) or len(filters) > 6:
                raise hs_validation("Each filterGroup needs a list of at most 6 filters")
            total_filters += len(filters)
            group_mask = np.ones(table.size, dtype=bool)
            for item in filters:
                group_mask &= self._filter(table, item)
            mask |= group_mask
        if total_filters > 18:
            raise hs_validation("A search request can have at most 18 filters")
        return mask

    def _filter(self, table: Table, item: object) -> np.ndarray:
        if not isinstance(item, dict) or not isinstance(item.get("propertyName"), str):
            raise hs_validation("Each filter needs a propertyName and an operator")
        prop, op = item["propertyName"], str(item.get("operator", "EQ")).upper()
        column = self._column(table, prop)
        if op == "HAS_PROPERTY":
            return ~column.null
        if op == "NOT_HAS_PROPERTY":
            return column.null.copy()
        if op in ("IN", "NOT_IN"):
            values = item.get("values")
            if not isinstance(values, list):
                raise hs_validation(f"Operator {op} needs a list of values")
            found = np.zeros(table.size, dtype=bool)
            for value in values:
                found |= _matches(column, "EQ", _coerce(column, value, prop))
            return (~found) if op == "NOT_IN" else found
        if "value" not in item:
            raise hs_validation(f"Operator {op} needs a value")
        value = _coerce(column, item["value"], prop)
        if op == "BETWEEN":
            if "highValue" not in item:
                raise hs_validation("Operator BETWEEN needs a value and a highValue")
            high = _coerce(column, item["highValue"], prop)
            return _matches(column, "GTE", value) & _matches(column, "LTE", high)
        if op not in ("EQ", "NEQ", "LT", "LTE", "GT", "GTE", "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
            raise hs_validation(f"Unknown operator: {op}")
        return _matches(column, op, value)

    def _search_order(self, table: Table, rows: np.ndarray, sorts: list) -> np.ndarray:
        ids = table.keys["id"].values
        if not sorts:
            return rows[np.argsort(ids[rows], kind="stable")]
        if not isinstance(sorts, list) or len(sorts) > 1:
            raise hs_validation("A search request can have at most one sort")
        sort = sorts[0]
        if isinstance(sort, str):  # the short form: "-lastmodifieddate"
            prop, descending = sort.lstrip("-"), sort.startswith("-")
        elif isinstance(sort, dict) and isinstance(sort.get("propertyName"), str):
            prop = sort["propertyName"]
            descending = str(sort.get("direction", "ASCENDING")).upper() == "DESCENDING"
        else:
            raise hs_validation("Each sort needs a propertyName and a direction")
        column = self._column(table, prop)
        rank = column.rank()[rows].astype(np.float64)
        null = column.null[rows]
        if descending:
            rank = -rank
        # Ties are broken by id so that offset paging is deterministic; nulls sort last.
        order = np.lexsort((ids[rows], rank, null))
        return rows[order]

    # --- owners and marketing ------------------------------------------------------------------

    def owners(self, request: Request, match: re.Match) -> Response:
        return self._token_list(request, "owners", PLAIN_PROFILE, default_limit=100, maximum=500)

    def marketing(self, request: Request, match: re.Match) -> Response:
        kind = match.group("kind")
        if kind == "campaigns":
            return self.campaigns(request)
        if kind == "forms":
            return self._token_list(request, "forms", PLAIN_PROFILE, default_limit=20, maximum=100,
                                    form_types=_form_types(request.query.get("formTypes")))
        return self._token_list(request, "marketing_emails", PLAIN_PROFILE, default_limit=10, maximum=100,
                                with_total=True)

    def campaigns(self, request: Request) -> Response:
        """``/marketing/v3/campaigns``: no ``archived`` parameter (an unknown query parameter is
        ignored) and deleted campaigns are not listed; ``properties`` is empty unless the request
        names the properties it wants."""
        limit = _limit(request.param("limit"), default=CAMPAIGNS_DEFAULT_LIMIT, maximum=LIST_MAX_LIMIT)
        wanted = _list_param(request.query.get("properties"))
        table, start = self._resume("campaigns", PLAIN_PROFILE, request.param("after"))
        rows = table.derived(("archived", False), lambda: _rows_with_flag(table, False))
        page = rows[start : start + limit]
        results = []
        for record in table.records(page):
            props = record.get("properties") or {}
            results.append({
                "id": record.get("id"), "properties": {name: props.get(name) for name in wanted},
                "createdAt": record.get("createdAt"), "updatedAt": record.get("updatedAt"),
                "businessUnits": record.get("businessUnits") or [{"id": 0}],
            })
        body: dict = {"total": int(len(rows)), "results": results}
        if start + limit < len(rows):
            token = _token(table, start + limit)
            body["paging"] = {"next": {"after": token, "link": _link(request, after=token)}}
        return json_response(body, records=len(results))

    def _token_list(self, request: Request, file: str, profile: Profile, default_limit: int, maximum: int,
                    with_total: bool = False, form_types: frozenset[str] | None = None) -> Response:
        limit = _limit(request.param("limit"), default=default_limit, maximum=maximum)
        archived = _flag(request.param("archived"), "archived")
        table, start = self._resume(file, profile, request.param("after"))

        def compute():
            rows = _rows_with_flag(table, archived)
            if form_types is None or "all" in form_types:
                return rows
            kinds = table.column("formType", lambda r: r.get("formType") or "hubspot")
            return rows[np.isin(kinds.values[rows].astype(str), sorted(form_types))]

        rows = table.derived(("archived", archived, form_types), compute)
        page = rows[start : start + limit]
        body: dict = {}
        if with_total:
            body["total"] = int(len(rows))
        if start + limit < len(rows):
            token = _token(table, start + limit)
            body["paging"] = {"next": {"after": token, "link": _link(request, after=token)}}
        # These endpoints return records as the files hold them: no need to parse them.
        return spliced_response(body, "results", table.raw_array(page), len(page))

    def form_submissions(self, request: Request, match: re.Match) -> Response:
        form_id = match.group("form_id")
        limit = _limit(request.param("limit"), default=20, maximum=50)
        table, start = self._resume("form_submissions", SUBMISSIONS_PROFILE, request.param("after"))

        def compute():
            forms = table.keys["formId"]
            rows = np.flatnonzero((forms.values == form_id) & ~forms.null)
            # newest first, as HubSpot documents ("returned in reverse-chronological order"): a
            # client reading only new submissions stops paging where they end
            return rows[np.argsort(-table.keys["submittedAt"].values[rows], kind="stable")]

        rows = table.derived(("form", form_id), compute, keep=256)
        if len(rows) == 0 and not self._form_exists(form_id):
            raise hs_not_found(f"Form {form_id} does not exist")
        page = rows[start : start + limit]
        results = []
        for record in table.records(page):
            record.pop("formId", None)  # the API names the form in the URL, not in each submission
            results.append(record)
        body: dict = {"results": results}
        if start + limit < len(rows):
            token = _token(table, start + limit)
            body["paging"] = {"next": {"after": token, "link": _link(request, after=token)}}
        return json_response(body, records=len(results))

    def _form_exists(self, form_id: str) -> bool:
        forms = self.store.get(API, "forms", PLAIN_PROFILE)
        if forms is None:
            return False
        column = forms.column("id", lambda r: r.get("id"))
        return bool(((column.values == form_id) & ~column.null).any())

    def email_events(self, request: Request, match: re.Match) -> Response:
        limit = _limit(request.param("limit"), default=100, maximum=1000)
        low = _epoch_param(request.param("startTimestamp"), "startTimestamp")
        high = _epoch_param(request.param("endTimestamp"), "endTimestamp")
        event_type = request.param("eventType")
        table, start = self._resume("email_events", EVENTS_PROFILE, request.param("offset"))

        def compute():
            created = table.keys["created"]
            mask = ~created.null
            if low is not None:
                mask &= created.values >= low
            if high is not None:
                mask &= created.values <= high
            if event_type:
                kinds = table.column("type", lambda r: r.get("type"))
                mask &= kinds.values == event_type.upper()
            rows = np.flatnonzero(mask)
            return rows[np.argsort(created.values[rows], kind="stable")]

        rows = table.derived(("events", low, high, event_type), compute)
        page = rows[start : start + limit]
        has_more = start + limit < len(rows)
        body = {"hasMore": has_more, "offset": _token(table, start + len(page))}
        return spliced_response(body, "events", table.raw_array(page), len(page))

    def _resume(self, file: str, profile: Profile, token: str | None) -> tuple[Table, int]:
        """The table version a paging token refers to (the current one for a first page)."""
        current = self.store.get(API, file, profile)
        if current is None:
            if declared_fields(self.store.root, API, file) is None:
                raise hs_not_found(f"No {file.replace('_', ' ')} in this portal")
            current = empty_table(file, Path(file), profile)  # declared, nothing recorded yet: an empty list
        if not token:
            return current, 0
        try:
            version, position = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode().split(":")
            version_number, start = int(version), int(position)
        except (ValueError, UnicodeDecodeError):
            raise hs_validation(f"Invalid paging token: {token}") from None
        table = self.store.version(version_number)
        if table is None or table.path != current.path:
            table = current  # the version is gone (two rewrites since): continue on the current one
        return table, max(start, 0)


def _rows_with_flag(table: Table, archived: bool) -> np.ndarray:
    flag = table.keys["archived"]
    return np.flatnonzero((flag.values & ~flag.null) == archived)


def _form_types(values: list[str] | None) -> frozenset[str]:
    """``formTypes`` (repeatable or comma-separated): hubspot only when absent, as HubSpot does."""
    kinds = frozenset(_list_param(values)) or frozenset({"hubspot"})
    unknown = kinds - set(FORM_TYPES)
    if unknown:
        raise hs_validation(f"Invalid formTypes {sorted(unknown)}; allowed: {', '.join(FORM_TYPES)}")
    return kinds


def _json_body(request: Request) -> dict:
    try:
        body = orjson.loads(request.body) if request.body.strip() else {}
    except orjson.JSONDecodeError as error:
        raise hs_validation(f"Invalid input JSON on line 1, column {error.pos + 1}: {error.msg}") from None
    if not isinstance(body, dict):
        raise hs_validation("Invalid input JSON: expected an object")
    return body


def _singular(name: str) -> str:
    return {"companies": "COMPANY"}.get(name, name.rstrip("s").upper())


def _now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _utc_day() -> str:
    return datetime.now(timezone.utc).date().isoformat()


def _request_id() -> str:
    return str(uuid.uuid4())


_PROPERTY_TYPES = {
    "datetime": ("datetime", "date"), "date": ("date", "date"), "number": ("number", "number"),
    "bool": ("bool", "booleancheckbox"),
}


def _inferred_properties(table: Table, name: str) -> list[dict]:
    """Property declarations guessed from a file no declaration names (a user's own object)."""
    sample = table.sample()
    out = []
    for prop in table.fields:
        kind = infer_kind([(r.get("properties") or {}).get(prop) for r in sample], numeric_strings=True)
        hs_type, field_type = _PROPERTY_TYPES.get(kind, ("string", "text"))
        out.append({"name": prop, "type": hs_type, "fieldType": field_type})
    return out


def _property_definition(prop: dict, order: int, group: str) -> dict:
    """A declaration in the properties API's full shape (CRM properties API, ``Property`` schema)."""
    name = prop["name"]
    defined = bool(prop.get("hubspotDefined", False))
    out = {
        "name": name, "label": prop.get("label") or name.replace("_", " ").title(),
        "type": prop.get("type", "string"), "fieldType": prop.get("fieldType", "text"),
        "description": prop.get("description", ""), "groupName": prop.get("groupName") or group,
        "options": prop.get("options", []), "displayOrder": prop.get("displayOrder", order),
        "calculated": prop.get("calculated", False), "externalOptions": False,
        "hasUniqueValue": prop.get("hasUniqueValue", name == "hs_object_id"), "hidden": False,
        "formField": prop.get("formField", True), "archived": False,
        "createdAt": "2019-08-06T02:41:52.000Z", "updatedAt": "2019-08-06T02:41:52.000Z",
        "modificationMetadata": {"archivable": not defined, "readOnlyDefinition": defined, "readOnlyValue": False},
    }
    if defined:
        out["hubspotDefined"] = True
    return out


def _token(table: Table, position: int) -> str:
    return base64.urlsafe_b64encode(f"{table.version}:{position}".encode()).decode().rstrip("=")


def _link(request: Request, **overrides: str) -> str:
    query = {k: v[-1] for k, v in request.query.items()}
    query.update(overrides)
    return f"{request.base_url}{request.path}?{urlencode(query)}"


def _limit(raw: object, default: int, maximum: int) -> int:
    if raw is None or raw == "":
        return default
    try:
        limit = int(raw)
    except (TypeError, ValueError):
        raise hs_validation(f"Invalid limit: {raw}") from None
    if limit < 1 or limit > maximum:
        raise hs_validation(f"limit must be between 1 and {maximum}, got {limit}")
    return limit


def _flag(raw: str | None, name: str) -> bool:
    if raw is None or raw.lower() == "false":
        return False
    if raw.lower() == "true":
        return True
    raise hs_validation(f"Invalid value for {name}: {raw} (expected true or false)")


def _list_param(values: list[str] | None) -> tuple[str, ...]:
    if not values:
        return ()
    return tuple(part.strip() for value in values for part in value.split(",") if part.strip())


def _properties(values: list | str | None, object_name: str) -> tuple[str, ...]:
    if isinstance(values, str):
        values = [values]
    names = _list_param(values) if values and all(isinstance(v, str) for v in values) else None
    if values and names is None:
        raise hs_validation("properties must be a list of property names")
    return names or DEFAULT_PROPERTIES.get(object_name, FALLBACK_PROPERTIES)


def _crm_record(record: dict, properties: tuple[str, ...], associations: tuple[str, ...]) -> dict:
    props = record.get("properties") or {}
    out = {
        "id": record.get("id"),
        "properties": {name: props.get(name) for name in properties},
        "createdAt": record.get("createdAt"),
        "updatedAt": record.get("updatedAt"),
        "archived": bool(record.get("archived", False)),
    }
    if out["archived"]:
        out["archivedAt"] = record.get("archivedAt")
    if associations:
        available = record.get("associations") or {}
        chosen = {kind: available[kind] for kind in associations if available.get(kind)}
        if chosen:
            out["associations"] = chosen
    return out


def _epoch_param(raw: str | None, name: str) -> int | None:
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except ValueError:
        raise hs_validation(f"{name} must be epoch milliseconds, got {raw}") from None


def _coerce(column: Column, value: object, prop: str) -> object:
    """A filter value in the column's terms: dates as epoch ms (from ms or ISO), numbers, strings."""
    if column.kind in ("datetime", "date", "number"):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            text = value.strip()
            try:
                return float(text)
            except ValueError:
                pass
            if DATETIME_RE.match(text) or DATE_RE.match(text):
                return float(parse_datetime_ms(text if "T" in text else text + "T00:00:00Z"))
        raise hs_validation(f"{value!r} is not a valid value for property {prop}")
    if column.kind == "bool":
        return str(value).lower() == "true"
    return str(value)


def _matches(column: Column, op: str, value: object) -> np.ndarray:
    values = column.values
    if column.kind == "string":
        lowered = np.char.lower(values.astype(str)) if len(values) else values.astype(str)
        needle = str(value).lower()
        if op in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
            found = np.char.find(lowered, needle.strip("*")) >= 0
            result = ~found if op == "NOT_CONTAINS_TOKEN" else found
        else:
            result = _ordered(op, lowered, needle)
    else:
        if op in ("CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"):
            raise hs_validation(f"Operator {op} applies to text properties only")
        result = _ordered(op, values, value)
    result = np.asarray(result, dtype=bool)
    if op in ("NEQ", "NOT_CONTAINS_TOKEN"):
        return result | column.null
    return result & ~column.null


def _ordered(op: str, values: np.ndarray, value: object):
    return {
        "EQ": lambda: values == value, "NEQ": lambda: values != value,
        "LT": lambda: values < value, "LTE": lambda: values <= value,
        "GT": lambda: values > value, "GTE": lambda: values >= value,
    }[op]()

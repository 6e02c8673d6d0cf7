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
import re
from collections.abc import Callable
from urllib.parse import urlencode

import numpy as np
import orjson

from ingestion.sandbox.server.columns import Column, DATE_RE, DATETIME_RE, infer_kind, parse_datetime_ms
from ingestion.sandbox.server.request import Request
from ingestion.sandbox.server.responses import (
    HubSpotError,
    Response,
    hs_not_found,
    hs_validation,
    json_response,
    spliced_response,
)
from ingestion.sandbox.server.tables import Profile, Table, TableStore

API = "hubspot"
SEARCH_CAP = 10_000
SEARCH_MAX_LIMIT = 200
LIST_MAX_LIMIT = 100

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


class HubSpotApi:
    def __init__(self, store: TableStore, token: str):
        self.store = store
        self.token = token

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
        table = None if name in NON_CRM_FILES else self.store.get(API, name, CRM_PROFILE)
        if table is None:
            raise hs_validation(f"Unable to infer object type from: {name}")
        return table

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

    def properties(self, request: Request, match: re.Match) -> Response:
        name = match.group("object")
        table = self._crm_table(name)
        sample = table.sample()
        results = []
        for order, prop in enumerate(table.fields):
            kind = infer_kind([(r.get("properties") or {}).get(prop) for r in sample], numeric_strings=True)
            hs_type, field_type = {
                "datetime": ("datetime", "date"), "date": ("date", "date"), "number": ("number", "number"),
                "bool": ("bool", "booleancheckbox"),
            }.get(kind, ("string", "text"))
            results.append({
                "name": prop, "label": prop.replace("_", " ").title(), "type": hs_type, "fieldType": field_type,
                "groupName": _GROUPS.get(name, f"{name}information"), "description": "",
                "options": [], "displayOrder": order, "calculated": False, "externalOptions": False,
                "hasUniqueValue": prop == "hs_object_id", "hidden": False, "formField": True,
                "modificationMetadata": {"archivable": True, "readOnlyDefinition": True, "readOnlyValue": False},
            })
        return json_response({"results": results})

    def search(self, request: Request, match: re.Match) -> Response:
        name = match.group("object")
        try:
            body = orjson.loads(request.body) if request.body.strip() else {}
        except orjson.JSONDecodeError as error:
            raise hs_validation(f"Invalid input JSON on line 1, column {error.pos + 1}: {error.msg}") from None
        if not isinstance(body, dict):
            raise hs_validation("Invalid input JSON: expected an object")
        table = self._crm_table(name)
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
        return self._token_list(
            request, _MARKETING_FILES[kind], PLAIN_PROFILE, default_limit=10 if kind == "emails" else 20,
            maximum=100, with_total=kind in ("campaigns", "emails"),
        )

    def _token_list(self, request: Request, file: str, profile: Profile, default_limit: int, maximum: int,
                    with_total: bool = False) -> Response:
        limit = _limit(request.param("limit"), default=default_limit, maximum=maximum)
        archived = _flag(request.param("archived"), "archived")
        table, start = self._resume(file, profile, request.param("after"))

        def compute():
            flag = table.keys["archived"]
            return np.flatnonzero((flag.values & ~flag.null) == archived)

        rows = table.derived(("archived", archived), compute)
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
            raise hs_not_found(f"No {file.replace('_', ' ')} in this portal")
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

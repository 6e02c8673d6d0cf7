"""The Salesforce REST API over ``<dir>/salesforce/<SObject>.jsonl``: OAuth2 token, SOQL query and
queryAll with ``nextRecordsUrl`` paging, sobjects list, describe and ``/limits``.

Objects and fields are the org's declaration (``ingestion/sandbox/catalog.py``), not what the files
happen to hold: a declared object without a file answers no records, a declared field a record
lacks is ``null``, an undeclared field is ``INVALID_FIELD``. Only a file no declaration names has
its fields inferred from its records."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cached_property
from urllib.parse import parse_qs

import numpy as np
import orjson

from ingestion.sandbox.catalog import declared_fields, declared_objects
from ingestion.sandbox.server.bulk import BulkQueryApi
from ingestion.sandbox.server.columns import Column, build_column, infer_kind
from ingestion.sandbox.server.request import Request
from ingestion.sandbox.server.responses import (
    OAuthError,
    Response,
    SalesforceError,
    json_response,
    sf_invalid_session,
    spliced_response,
)
from ingestion.sandbox.server.sf_limits import DEFAULT_DAILY_API_REQUESTS, DailyBudget
from ingestion.sandbox.server.soql import Query, evaluate, order_rows, parse
from ingestion.sandbox.server.tables import Profile, Table, TableStore, empty_table

API = "salesforce"
PAGE_SIZE = 2000
CURSOR_TTL_SECONDS = 15 * 60  # Salesforce expires an idle query locator after 15 minutes
MAX_CURSORS = 200
ORG_ID = "00D5g000004RELAYAA"

PROFILE = Profile(
    keys={
        "SystemModstamp": (lambda r: r.get("SystemModstamp"), "datetime"),
        "IsDeleted": (lambda r: r.get("IsDeleted"), "bool"),
    },
    fields_of=lambda r: r,
    row=lambda r: (r.get("SystemModstamp"), r.get("IsDeleted")),
)

_FROM = re.compile(r"\bfrom\s+([A-Za-z_][A-Za-z0-9_]*)", re.IGNORECASE)
_CURRENCY_FIELDS = {"Amount", "AnnualRevenue", "BudgetedCost", "ActualCost", "ExpectedRevenue"}
_NOT_NILLABLE = {"Id", "IsDeleted", "CreatedDate", "LastModifiedDate", "SystemModstamp", "Name"}
COMMON_FIELDS = {"Id": "id", "IsDeleted": "bool", "CreatedDate": "datetime", "LastModifiedDate": "datetime",
                 "SystemModstamp": "datetime"}


@dataclass
class Cursor:
    table: Table
    rows: np.ndarray
    fields: tuple[str, ...]
    version: str
    last_used: float = field(default_factory=time.monotonic)


# describe ``type`` -> (SOAP type, column kind for filters and sorts)
_TYPES = {
    "id": ("tns:ID", "string"), "reference": ("tns:ID", "string"), "boolean": ("xsd:boolean", "bool"),
    "int": ("xsd:int", "number"), "long": ("xsd:long", "number"), "double": ("xsd:double", "number"),
    "currency": ("xsd:double", "number"), "percent": ("xsd:double", "number"), "date": ("xsd:date", "date"),
    "datetime": ("xsd:dateTime", "datetime"), "time": ("xsd:time", "string"),
}


def kind_of(sf_type: str) -> str:
    return _TYPES.get(sf_type, ("xsd:string", "string"))[1]


@dataclass(frozen=True)
class SObject:
    """One object of the org: its table (empty when it has no file) and its fields (name -> type)."""

    name: str
    table: Table
    fields: dict[str, str]  # canonical name -> describe type ("" when inferred from the file)
    declared: list[dict] | None

    def canonical(self, name: str) -> str | None:
        """The field's own spelling (SOQL names are case-insensitive), None if the org has no such field."""
        return self._lowered.get(name.lower())

    @cached_property
    def _lowered(self) -> dict[str, str]:
        return {f.lower(): f for f in self.fields}


class SalesforceApi:
    def __init__(self, store: TableStore, client_id: str, client_secret: str,
                 daily_api_requests: int = DEFAULT_DAILY_API_REQUESTS):
        self.store = store
        self.budget = DailyBudget(daily_api_requests)
        self._empty: dict[str, Table] = {}
        self.bulk = BulkQueryApi(self)
        self.client_id = client_id
        self.client_secret = client_secret
        self._tokens: set[str] = set()
        self._cursors: OrderedDict[str, Cursor] = OrderedDict()
        self._lock = threading.Lock()

    # --- auth -------------------------------------------------------------------------------

    def token(self, request: Request) -> Response:
        form = {k: v[-1] for k, v in parse_qs(request.body.decode("utf-8", "replace")).items()}
        form.update({k: v[-1] for k, v in request.query.items() if k not in form})
        grant = form.get("grant_type")
        if grant not in ("client_credentials", "password"):
            raise OAuthError(400, "unsupported_grant_type", "grant type not supported")
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            raise OAuthError(400, "invalid_client", "invalid client credentials")
        if grant == "password" and not (form.get("username") and form.get("password")):
            raise OAuthError(400, "invalid_grant", "authentication failure")
        access_token = f"{ORG_ID}!{secrets.token_urlsafe(32)}"
        with self._lock:
            self._tokens.add(access_token)
        issued_at = str(int(time.time() * 1000))
        instance_url = request.base_url
        signature = base64.b64encode(
            hmac.new(self.client_secret.encode(), f"{instance_url}{issued_at}".encode(), hashlib.sha256).digest()
        ).decode()
        return json_response({
            "access_token": access_token,
            "instance_url": instance_url,
            "id": f"{instance_url}/id/{ORG_ID}/0055g00000RELAYAAA",
            "token_type": "Bearer",
            "issued_at": issued_at,
            "signature": signature,
        })

    def authorize(self, request: Request) -> None:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() not in ("bearer", "oauth") or token.strip() not in self._tokens:
            raise sf_invalid_session()
        self.budget.charge()  # every authenticated request counts against the daily budget

    def limits(self, request: Request, match: re.Match) -> Response:
        return json_response(self.budget.limits())

    def expire_sessions(self) -> int:
        """Invalidate every issued token (clients must authenticate again), as a session timeout does."""
        with self._lock:
            count = len(self._tokens)
            self._tokens.clear()
        return count

    # --- objects ----------------------------------------------------------------------------

    def object_of(self, request: Request, match: re.Match) -> str | None:
        """The SObject a request is about, for fault scoping and statistics (cheap, no parsing)."""
        groups = match.groupdict()
        if groups.get("sobject"):
            return self.resolve(groups["sobject"]) or groups["sobject"]
        if groups.get("job"):
            return self.bulk.object_of(groups["job"])
        if groups.get("cursor"):
            cursor = self._cursors.get(groups["cursor"])
            return cursor.table.name if cursor else None
        q = request.query.get("q", [""])[-1]
        if not q and request.method == "POST" and request.body:  # a Bulk API 2.0 job's SOQL is in its body
            q = request.body.decode("utf-8", "replace")
        found = _FROM.search(q)
        if found:
            return self.resolve(found.group(1)) or found.group(1)
        return None

    def _names(self) -> list[str]:
        """Declared objects, then files no declaration names."""
        declared = declared_objects(self.store.root, API)
        return [*declared, *(n for n in self.store.names(API) if n not in declared)]

    def resolve(self, name: str) -> str | None:
        lowered = name.lower()
        return next((n for n in self._names() if n.lower() == lowered), None)

    def sobject(self, name: str) -> SObject:
        resolved = self.resolve(name)
        if resolved is None:
            raise SalesforceError(
                400, "INVALID_TYPE",
                f"sObject type '{name}' is not supported. If you are attempting to use a custom object, be sure "
                "to append the '__c' after the entity name. Please reference your WSDL or the describe call "
                "for the appropriate names.",
            )
        table = self.store.get(API, resolved, PROFILE) if self.store.resolve(API, resolved) else None
        if table is None:
            table = self._empty_table(resolved)
        declared = declared_fields(self.store.root, API, resolved)
        if declared is not None:
            fields = {f["name"]: f.get("type", "string") for f in declared}
        else:
            # Every SObject has the common fields, even when its file is empty.
            names = [*table.fields, *(f for f in COMMON_FIELDS if f not in table.fields)]
            fields = {n: "" for n in names if n != "attributes"}
        return SObject(resolved, table, fields, declared)

    def _empty_table(self, name: str) -> Table:
        with self._lock:
            if name not in self._empty:
                self._empty[name] = empty_table(name, self.store.root / API / f"{name}.jsonl", PROFILE)
            return self._empty[name]

    def column_of(self, obj: SObject):
        """``column_of(field)`` for SOQL evaluation: typed by the declaration when there is one."""
        table = obj.table

        def column(name: str) -> Column:
            canonical = obj.canonical(name)
            if canonical is None:
                raise _no_such_column(name, obj.name)
            found = table.column(canonical, lambda r, f=canonical: r.get(f))
            kind = kind_of(obj.fields[canonical]) if obj.fields[canonical] else found.kind
            if found.kind != kind and found.null.all():
                # no record has a value: the declared type decides how literals compare
                return build_column([None] * table.size, kind)
            return found

        return column

    def versions(self, request: Request, match: re.Match) -> Response:
        return json_response([{"label": "Summer '24", "url": "/services/data/v61.0", "version": "61.0"}])

    def sobjects(self, request: Request, match: re.Match) -> Response:
        version = match.group("version")
        listed = []
        for name in self._names():
            base = f"/services/data/v{version}/sobjects/{name}"
            listed.append({
                "name": name, "label": name, "labelPlural": name + "s", "keyPrefix": self._key_prefix(name),
                "custom": name.endswith("__c"), "queryable": True, "retrieveable": True, "searchable": True,
                "deletable": True, "createable": True, "updateable": True,
                "urls": {"sobject": base, "describe": f"{base}/describe", "rowTemplate": f"{base}/{{ID}}"},
            })
        return json_response({"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": listed})

    def _key_prefix(self, name: str) -> str | None:
        declaration = (self._declarations().get(name) or {})
        if declaration.get("keyPrefix"):
            return declaration["keyPrefix"]
        path = self.store.root / API / f"{name}.jsonl"
        try:
            with path.open("rb") as handle:
                for line in handle:
                    if line.strip():
                        record_id = orjson.loads(line).get("Id")
                        return record_id[:3] if isinstance(record_id, str) else None
        except (OSError, orjson.JSONDecodeError, AttributeError):
            return None
        return None

    def _declarations(self) -> dict:
        from ingestion.sandbox.catalog import declared

        return declared(self.store.root)[API]

    def describe(self, request: Request, match: re.Match) -> Response:
        version = match.group("version")
        obj = self.sobject(match.group("sobject"))
        if obj.declared is not None:
            fields = [_declared_field(f) for f in obj.declared]
            prefix = self._key_prefix(obj.name)
        else:
            sample = obj.table.sample()
            fields = [_describe_field(name, [record.get(name) for record in sample]) for name in obj.fields]
            prefix = next((r["Id"][:3] for r in sample if isinstance(r.get("Id"), str)), None)
        base = f"/services/data/v{version}/sobjects/{obj.name}"
        return json_response({
            "name": obj.name, "label": obj.name, "labelPlural": obj.name + "s", "keyPrefix": prefix,
            "custom": obj.name.endswith("__c"), "queryable": True, "retrieveable": True,
            "fields": fields,
            "urls": {"sobject": base, "describe": f"{base}/describe", "rowTemplate": f"{base}/{{ID}}"},
        })

    # --- query ------------------------------------------------------------------------------

    def query(self, request: Request, match: re.Match, include_deleted: bool) -> Response:
        version = match.group("version")
        if "q" not in request.query:
            raise SalesforceError(400, "MALFORMED_QUERY", "A query string must be provided with the q parameter")
        query = parse(request.query["q"][-1])
        obj, fields, rows = self.run(query, include_deleted)
        if query.count:
            return json_response({"totalSize": int(len(rows)), "done": True, "records": []})
        cursor = Cursor(obj.table, rows.astype(np.int64), fields, version)
        return self._page(cursor, 0, self._open(cursor) if len(rows) > PAGE_SIZE else None)

    def run(self, query: Query, include_deleted: bool) -> tuple[SObject, tuple[str, ...], np.ndarray]:
        """The object, the selected fields and the matching rows of a parsed query (REST and Bulk)."""
        obj = self.sobject(query.sobject)
        table = obj.table
        fields = self._resolve_fields(query, obj)
        column_of = self.column_of(obj)
        mask = np.ones(table.size, dtype=bool)
        if not include_deleted:
            deleted = table.keys["IsDeleted"]
            mask &= ~(deleted.values & ~deleted.null)
        if query.where is not None:
            mask &= evaluate(query.where, column_of, table.size)
        rows = np.flatnonzero(mask)
        rows = order_rows(rows, query.order, column_of)
        if query.offset:
            if query.offset > 2000:
                raise SalesforceError(400, "NUMBER_OUTSIDE_VALID_RANGE",
                                      "Maximum SOQL offset allowed is 2000")
            rows = rows[query.offset:]
        if query.limit is not None:
            rows = rows[: query.limit]
        return obj, fields, rows

    def query_more(self, request: Request, match: re.Match) -> Response:
        cursor_id, position = match.group("cursor"), int(match.group("position"))
        with self._lock:
            self._expire()
            cursor = self._cursors.get(cursor_id)
            if cursor is not None:
                cursor.last_used = time.monotonic()
                self._cursors.move_to_end(cursor_id)
        if cursor is None or position > len(cursor.rows):
            raise SalesforceError(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        return self._page(cursor, position, cursor_id)

    def _resolve_fields(self, query: Query, obj: SObject) -> tuple[str, ...]:
        if query.count:
            return ()
        if query.fields is None:
            if query.limit is None or query.limit > 200:
                raise SalesforceError(
                    400, "MALFORMED_QUERY",
                    "The SOQL FIELDS function must have a LIMIT of at most 200",
                )
            return tuple(obj.fields)
        resolved = []
        for name in query.fields:
            canonical = obj.canonical(name)
            if canonical is None:
                raise _no_such_column(name, obj.name)
            resolved.append(canonical)
        return tuple(resolved)

    def _open(self, cursor: Cursor) -> str:
        cursor_id = "01g" + secrets.token_hex(8).upper()[:15]
        with self._lock:
            self._expire()
            self._cursors[cursor_id] = cursor
            while len(self._cursors) > MAX_CURSORS:
                self._cursors.popitem(last=False)
        return cursor_id

    def _expire(self) -> None:
        now = time.monotonic()
        for key in [k for k, c in self._cursors.items() if now - c.last_used > CURSOR_TTL_SECONDS]:
            del self._cursors[key]

    def _page(self, cursor: Cursor, position: int, cursor_id: str | None) -> Response:
        table, fields = cursor.table, cursor.fields
        page_rows = cursor.rows[position : position + PAGE_SIZE]
        end = position + len(page_rows)
        done = end >= len(cursor.rows)
        envelope: dict = {"totalSize": int(len(cursor.rows)), "done": done}
        if not done and cursor_id is not None:
            envelope["nextRecordsUrl"] = f"/services/data/v{cursor.version}/query/{cursor_id}-{end}"
        if table.uniform and "attributes" in table.fields and set(fields) == set(table.fields) - {"attributes"}:
            # Every field of records that all have the same fields: the file's lines are the answer.
            return spliced_response(envelope, "records", table.raw_array(page_rows), len(page_rows))
        url_base = f"/services/data/v{cursor.version}/sobjects/{table.name}/"
        records = []
        for record in table.records(page_rows):
            attributes = record.get("attributes") or {"type": table.name, "url": url_base + str(record.get("Id"))}
            out = {"attributes": attributes}
            for name in fields:
                out[name] = record.get(name)
            records.append(out)
        return spliced_response(envelope, "records", orjson.dumps(records), len(records))


def _no_such_column(name: str, sobject: str) -> SalesforceError:
    return SalesforceError(
        400, "INVALID_FIELD",
        f"No such column '{name}' on entity '{sobject}'. If you are attempting to use a custom field, be sure "
        "to append the '__c' after the custom field name. Please reference your WSDL or the describe call "
        "for the appropriate names.",
    )


def _declared_field(declared: dict) -> dict:
    """A describe field in the real shape from a declared one (``{"name", "type", ...}``)."""
    name, sf_type = declared["name"], declared.get("type", "string")
    soap = _TYPES.get(sf_type, ("xsd:string", "string"))[0]
    system = name in _NOT_NILLABLE
    text = kind_of(sf_type) == "string" and sf_type not in ("id", "reference")
    length = declared.get("length", 18 if sf_type in ("id", "reference") else 255 if text else 0)
    digits = {"int": 9, "long": 18}.get(sf_type, 0)
    precision, scale = (18, 2) if sf_type in ("currency", "double", "percent") else (0, 0)
    references = list(declared.get("referenceTo", []))
    return {
        "aggregatable": sf_type not in ("textarea",), "autoNumber": False,
        "byteLength": length * 3 if text or sf_type in ("id", "reference") else 0,
        "calculated": False, "caseSensitive": False, "createable": not system,
        "custom": bool(declared.get("custom", name.endswith("__c"))), "defaultValue": None,
        "defaultedOnCreate": system or sf_type == "boolean", "dependentPicklist": False, "digits": digits,
        "externalId": False, "filterable": sf_type != "textarea", "groupable": sf_type not in ("textarea", "double",
                                                                                                  "currency", "percent",
                                                                                                  "datetime"),
        "htmlFormatted": False, "idLookup": sf_type == "id", "label": declared.get("label", name),
        "length": length, "name": name, "nameField": name == "Name",
        "nillable": bool(declared.get("nillable", not system and sf_type != "boolean")),
        "picklistValues": list(declared.get("picklistValues", [])), "precision": precision,
        "referenceTo": references,
        "relationshipName": (name[:-2] if name.endswith("Id") else name[:-3] + "__r") if references else None,
        "restrictedPicklist": False, "scale": scale, "soapType": soap, "sortable": sf_type != "textarea",
        "type": sf_type, "unique": False, "updateable": not system,
    }


def _describe_field(name: str, values: list) -> dict:
    kind = infer_kind(values) if any(v is not None for v in values) else COMMON_FIELDS.get(name, "string")
    present = [v for v in values if v is not None]
    if name == "Id":
        sf_type, soap = "id", "tns:ID"
    elif kind == "string" and name.endswith("Id") and present and all(
        isinstance(v, str) and len(v) in (15, 18) for v in present
    ):
        sf_type, soap = "reference", "tns:ID"
    elif kind == "datetime":
        sf_type, soap = "datetime", "xsd:dateTime"
    elif kind == "date":
        sf_type, soap = "date", "xsd:date"
    elif kind == "bool":
        sf_type, soap = "boolean", "xsd:boolean"
    elif kind == "number":
        if name in _CURRENCY_FIELDS:
            sf_type, soap = "currency", "xsd:double"
        elif present and all(isinstance(v, int) for v in present):
            sf_type, soap = "int", "xsd:int"
        else:
            sf_type, soap = "double", "xsd:double"
    else:
        sf_type, soap = "string", "xsd:string"
    length = max((len(v) for v in present if isinstance(v, str)), default=0)
    return {
        "name": name, "label": name, "type": sf_type, "soapType": soap,
        "nillable": name not in _NOT_NILLABLE and sf_type != "boolean",
        "length": 18 if sf_type in ("id", "reference") else (max(255, length) if sf_type == "string" else 0),
        "custom": name.endswith("__c"), "filterable": True, "sortable": True, "groupable": True,
        "createable": name not in _NOT_NILLABLE, "updateable": name not in _NOT_NILLABLE,
        "referenceTo": [], "defaultedOnCreate": name in _NOT_NILLABLE,
    }

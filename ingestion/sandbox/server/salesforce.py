"""The Salesforce REST API over ``<dir>/salesforce/<SObject>.jsonl``: OAuth2 token, SOQL query and
queryAll with ``nextRecordsUrl`` paging, sobjects list and describe."""

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
from urllib.parse import parse_qs

import numpy as np
import orjson

from ingestion.sandbox.server.columns import infer_kind
from ingestion.sandbox.server.request import Request
from ingestion.sandbox.server.responses import (
    OAuthError,
    Response,
    SalesforceError,
    json_response,
    sf_invalid_session,
    spliced_response,
)
from ingestion.sandbox.server.soql import Query, evaluate, order_rows, parse
from ingestion.sandbox.server.tables import Profile, Table, TableStore

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


class SalesforceApi:
    def __init__(self, store: TableStore, client_id: str, client_secret: str):
        self.store = store
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
            name = self.store.resolve(API, groups["sobject"], case_insensitive=True)
            return name or groups["sobject"]
        if groups.get("cursor"):
            cursor = self._cursors.get(groups["cursor"])
            return cursor.table.name if cursor else None
        q = request.query.get("q", [""])[-1]
        found = _FROM.search(q)
        if found:
            return self.store.resolve(API, found.group(1), case_insensitive=True) or found.group(1)
        return None

    def _table(self, name: str) -> Table:
        resolved = self.store.resolve(API, name, case_insensitive=True)
        table = self.store.get(API, resolved, PROFILE) if resolved else None
        if table is None:
            raise SalesforceError(
                400, "INVALID_TYPE",
                f"sObject type '{name}' is not supported. If you are attempting to use a custom object, be sure "
                "to append the '__c' after the entity name. Please reference your WSDL or the describe call "
                "for the appropriate names.",
            )
        return table

    @staticmethod
    def _field_names(table: Table) -> dict[str, str]:
        # Every SObject has the common fields, even when its file is empty.
        names = [*table.fields, *(f for f in COMMON_FIELDS if f not in table.fields)]
        return {name.lower(): name for name in names if name != "attributes"}

    def versions(self, request: Request, match: re.Match) -> Response:
        return json_response([{"label": "Summer '24", "url": "/services/data/v61.0", "version": "61.0"}])

    def sobjects(self, request: Request, match: re.Match) -> Response:
        version = match.group("version")
        listed = []
        for name in self.store.names(API):
            base = f"/services/data/v{version}/sobjects/{name}"
            listed.append({
                "name": name, "label": name, "labelPlural": name + "s", "keyPrefix": self._key_prefix(name),
                "custom": name.endswith("__c"), "queryable": True, "retrieveable": True, "searchable": True,
                "deletable": True, "createable": True, "updateable": True,
                "urls": {"sobject": base, "describe": f"{base}/describe", "rowTemplate": f"{base}/{{ID}}"},
            })
        return json_response({"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": listed})

    def _key_prefix(self, name: str) -> str | None:
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

    def describe(self, request: Request, match: re.Match) -> Response:
        version = match.group("version")
        table = self._table(match.group("sobject"))
        sample = table.sample()
        fields = []
        for name in self._field_names(table).values():
            values = [record.get(name) for record in sample]
            fields.append(_describe_field(name, values))
        prefix = next((r["Id"][:3] for r in sample if isinstance(r.get("Id"), str)), None)
        base = f"/services/data/v{version}/sobjects/{table.name}"
        return json_response({
            "name": table.name, "label": table.name, "labelPlural": table.name + "s", "keyPrefix": prefix,
            "custom": table.name.endswith("__c"), "queryable": True, "retrieveable": True,
            "fields": fields,
            "urls": {"sobject": base, "describe": f"{base}/describe", "rowTemplate": f"{base}/{{ID}}"},
        })

    # --- query ------------------------------------------------------------------------------

    def query(self, request: Request, match: re.Match, include_deleted: bool) -> Response:
        version = match.group("version")
        if "q" not in request.query:
            raise SalesforceError(400, "MALFORMED_QUERY", "A query string must be provided with the q parameter")
        query = parse(request.query["q"][-1])
        table = self._table(query.sobject)
        known = self._field_names(table)
        fields = self._resolve_fields(query, table, known)

        def column_of(name: str):
            canonical = known.get(name.lower())
            if canonical is None:
                raise _no_such_column(name, table.name)
            return table.column(canonical, lambda r, f=canonical: r.get(f))

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
        cursor = Cursor(table, rows.astype(np.int64), fields, version)
        return self._page(cursor, 0, self._open(cursor) if len(rows) > PAGE_SIZE else None)

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

    def _resolve_fields(self, query: Query, table: Table, known: dict[str, str]) -> tuple[str, ...]:
        if query.fields is None:
            if query.limit is None or query.limit > 200:
                raise SalesforceError(
                    400, "MALFORMED_QUERY",
                    "The SOQL FIELDS function must have a LIMIT of at most 200",
                )
            return tuple(known.values())
        resolved = []
        for name in query.fields:
            canonical = known.get(name.lower())
            if canonical is None:
                raise _no_such_column(name, table.name)
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

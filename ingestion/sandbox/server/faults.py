"""Deterministic fault injection.

A fault plan is a JSON list (or ``{"faults": [...]}``) of faults. Each fault has a ``kind``, an
optional scope and an optional schedule; counting is per fault, over the requests in its scope, so
a test knows exactly which request fails.

    kind            what the matching request gets
    rate_limit      HubSpot: 429 + Retry-After + X-HubSpot-RateLimit-* and errorType RATE_LIMIT;
                    Salesforce: 403 REQUEST_LIMIT_EXCEEDED (how Salesforce reports its API limits)
    server_error    a 5xx (``status``, default 503) in the API's error shape
    slow            the answer is delayed by ``seconds`` (default 1.0), then served normally
    drop_connection the headers and half the body are sent, then the connection is closed
    malformed       200 with a truncated, invalid JSON body

    scope           ``api`` (salesforce | hubspot), ``path`` (a glob on the URL path, e.g.
                    "/crm/v3/objects/contacts*"), ``object`` (SObject or HubSpot object, any case),
                    ``method``
    schedule        ``every``: N  -> the Nth, 2Nth, ... request in scope
                    ``count``: N  -> N requests in a row, after ``skip`` (default 0) requests in scope
                    neither      -> every request in scope, until the plan is changed (a permanent
                                    failure, e.g. of one object)
    ``retry_after`` (rate_limit, seconds, default 1) and ``status`` / ``seconds`` as above.

Admin endpoints (no auth) change the plan of a running server: ``POST /__sandbox/faults`` with a
plan replaces it (counters restart), ``DELETE /__sandbox/faults`` clears it, ``GET`` shows it.
"""

from __future__ import annotations

import fnmatch
import threading
from dataclasses import dataclass, field

KINDS = ("rate_limit", "server_error", "slow", "drop_connection", "malformed")
_ALLOWED_KEYS = {"kind", "api", "path", "object", "method", "every", "count", "skip", "retry_after", "status",
                 "seconds", "name"}


@dataclass
class Fault:
    kind: str
    api: str | None = None
    path: str | None = None
    object: str | None = None
    method: str | None = None
    every: int | None = None
    count: int | None = None
    skip: int = 0
    retry_after: float = 1.0
    status: int = 503
    seconds: float = 1.0
    name: str | None = None
    seen: int = 0  # requests in scope so far
    triggered: int = 0

    def in_scope(self, api: str, path: str, obj: str | None, method: str) -> bool:
        if self.api and self.api != api:
            return False
        if self.method and self.method.upper() != method:
            return False
        if self.path and not fnmatch.fnmatchcase(path, self.path):
            return False
        if self.object and (obj is None or obj.lower() != self.object.lower()):
            return False
        return True

    def fires(self) -> bool:
        """Count one request in scope and say whether this fault hits it."""
        self.seen += 1
        if self.every is not None:
            hit = self.seen % self.every == 0
        elif self.count is not None:
            hit = self.skip < self.seen <= self.skip + self.count
        else:
            hit = True
        if hit:
            self.triggered += 1
        return hit

    def describe(self) -> dict:
        out = {k: v for k, v in self.__dict__.items() if v is not None}
        return out


def parse_plan(spec: object) -> list[Fault]:
    """Faults from a plan (a list, or a dict with a "faults" list); ValueError on a bad plan."""
    if spec is None:
        return []
    if isinstance(spec, dict):
        if set(spec) - {"faults"}:
            raise ValueError("a fault plan is a list of faults or {\"faults\": [...]}")
        spec = spec.get("faults", [])
    if not isinstance(spec, list):
        raise ValueError("a fault plan is a list of faults or {\"faults\": [...]}")
    faults = []
    for index, item in enumerate(spec):
        where = f"fault #{index + 1}"
        if isinstance(item, Fault):
            faults.append(item)
            continue
        if not isinstance(item, dict):
            raise ValueError(f"{where}: expected an object, got {type(item).__name__}")
        unknown = set(item) - _ALLOWED_KEYS
        if unknown:
            raise ValueError(f"{where}: unknown key(s) {sorted(unknown)}; allowed: {sorted(_ALLOWED_KEYS)}")
        if item.get("kind") not in KINDS:
            raise ValueError(f"{where}: kind must be one of {', '.join(KINDS)}, got {item.get('kind')!r}")
        if item.get("api") not in (None, "salesforce", "hubspot"):
            raise ValueError(f"{where}: api must be salesforce or hubspot")
        for key in ("every", "count"):
            if key in item and (not isinstance(item[key], int) or item[key] < 1):
                raise ValueError(f"{where}: {key} must be a positive integer")
        if "every" in item and "count" in item:
            raise ValueError(f"{where}: give either every or count, not both")
        if "skip" in item and (not isinstance(item["skip"], int) or item["skip"] < 0):
            raise ValueError(f"{where}: skip must be a non-negative integer")
        if "status" in item and (not isinstance(item["status"], int) or not 500 <= item["status"] <= 599):
            raise ValueError(f"{where}: status must be a 5xx code")
        for key in ("seconds", "retry_after"):
            if key in item and (not isinstance(item[key], (int, float)) or item[key] < 0):
                raise ValueError(f"{where}: {key} must be a non-negative number")
        faults.append(Fault(**item))
    return faults


@dataclass
class FaultPlan:
    faults: list[Fault] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def replace(self, spec: object) -> None:
        faults = parse_plan(spec)
        with self._lock:
            self.faults = faults

    def triggered(self, api: str, path: str, obj: str | None, method: str) -> list[Fault]:
        with self._lock:
            return [f for f in self.faults if f.in_scope(api, path, obj, method) and f.fires()]

    def describe(self) -> list[dict]:
        with self._lock:
            return [f.describe() for f in self.faults]

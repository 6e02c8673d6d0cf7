"""An HTTP request as the API handlers see it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, list[str]]  # repeated parameters keep every value, in order
    headers: dict[str, str]  # lower-cased names
    body: bytes
    base_url: str  # scheme://host:port the client used, e.g. for Salesforce's instance_url
    target: str = ""  # the request target as sent: path plus query string, still percent-encoded
    header_bytes: int = 0  # the request line plus every header line, as sent (for URI limits)

    def param(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default

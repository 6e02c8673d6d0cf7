"""Responses and errors in each API's own shape.

Salesforce REST errors are a JSON list ``[{"message", "errorCode"}]``; the OAuth token endpoint
answers ``{"error", "error_description"}``. HubSpot errors are
``{"status": "error", "message", "correlationId", "category"}`` (plus ``errorType`` on 429s).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import orjson


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json;charset=UTF-8"
    records: int = 0  # records served in this response, for the statistics


def json_response(payload: object, status: int = 200, records: int = 0, headers: dict | None = None) -> Response:
    return Response(status, orjson.dumps(payload), dict(headers or {}), records=records)


def spliced_response(envelope: dict, key: str, array: bytes, records: int) -> Response:
    """A JSON object ``envelope`` plus ``key`` holding an already-serialised JSON array."""
    head = orjson.dumps(envelope)
    body = head[:-1] + (b"," if envelope else b"") + orjson.dumps(key) + b":" + array + b"}"
    return Response(200, body, records=records)


class ApiError(Exception):
    """An error answered in its API's shape."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})

    def response(self) -> Response:
        raise NotImplementedError


class SalesforceError(ApiError):
    def __init__(self, status: int, error_code: str, message: str, headers: dict[str, str] | None = None):
        super().__init__(status, message, headers)
        self.error_code = error_code

    def response(self) -> Response:
        return json_response([{"message": self.message, "errorCode": self.error_code}], self.status,
                             headers=self.headers)


class OAuthError(ApiError):
    """The Salesforce token endpoint's own error shape."""

    def __init__(self, status: int, error: str, description: str):
        super().__init__(status, description)
        self.error = error

    def response(self) -> Response:
        return json_response({"error": self.error, "error_description": self.message}, self.status)


class HubSpotError(ApiError):
    def __init__(self, status: int, category: str, message: str, headers: dict[str, str] | None = None,
                 extra: dict | None = None):
        super().__init__(status, message, headers)
        self.category = category
        self.extra = dict(extra or {})

    def response(self) -> Response:
        body = {"status": "error", "message": self.message, "correlationId": str(uuid.uuid4()),
                "category": self.category, **self.extra}
        return json_response(body, self.status, headers=self.headers)


def sf_invalid_session() -> SalesforceError:
    return SalesforceError(401, "INVALID_SESSION_ID", "Session expired or invalid")


def sf_not_found(path: str) -> SalesforceError:
    return SalesforceError(404, "NOT_FOUND", f"The requested resource does not exist: {path}")


def hs_validation(message: str) -> HubSpotError:
    return HubSpotError(400, "VALIDATION_ERROR", message)


def hs_not_found(message: str = "resource not found") -> HubSpotError:
    return HubSpotError(404, "OBJECT_NOT_FOUND", message)

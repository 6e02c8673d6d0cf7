"""The Salesforce REST specifics dlt's REST client does not already know: the client-credentials
token endpoint's answer, query-result paging by ``nextRecordsUrl``, SOQL building and turning a
describe answer into column hints."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from typing import Any

import requests
from dlt.common.configuration import configspec
from dlt.sources.helpers.rest_client.auth import OAuth2ClientCredentials
from dlt.sources.helpers.rest_client.paginators import BaseNextUrlPaginator
from requests import PreparedRequest, Response

from ingestion.salesforce.settings import (
    COMMON_COLUMNS,
    COMPOUND_FIELD_TYPES,
    CURSOR_FIELD,
    DAILY_LIMIT_MESSAGE,
    FIELD_TYPES,
)


@configspec
class SalesforceClientCredentials(OAuth2ClientCredentials):
    """OAuth 2.0 client-credentials flow of a Salesforce connected app.

    Salesforce's token answer carries no ``expires_in``; the session lifetime is an org setting,
    so the token is renewed after ``default_token_expiration`` seconds (one hour, dlt's default)."""

    def __call__(self, request: PreparedRequest) -> PreparedRequest:
        request = super().__call__(request)
        # Registered before the REST client's raise-for-status hook (requests prepares auth first),
        # so an expired session is renewed before the answer counts as an error.
        request.register_hook("response", self._renew_expired_session)
        return request

    def _renew_expired_session(self, response: Response, **kwargs: Any) -> Response | None:
        """On 401 (INVALID_SESSION_ID: the org ended the session early) get a new token and send
        the request once more, the way requests' own digest auth answers a 401 challenge."""
        if response.status_code != 401 or getattr(response.request, "_relay_reauthenticated", False):
            return None
        if response.request.headers.get("Authorization") == f"Bearer {self.access_token}":
            self.obtain_token()  # else another request renewed it already (or a retry resent an old one)
        response.content  # drain the body so the connection returns to the pool
        response.close()
        retry = response.request.copy()
        retry.headers["Authorization"] = f"Bearer {self.access_token}"
        retry._relay_reauthenticated = True  # type: ignore[attr-defined]
        renewed = response.connection.send(retry, **kwargs)
        renewed.history.append(response)
        renewed.request = retry
        return renewed

    def parse_access_token(self, response_json: Any) -> str:
        token = response_json.get("access_token")
        if not token:
            raise ValueError("Salesforce's token endpoint answered without an access_token")
        return str(token)


class QueryPaginator(BaseNextUrlPaginator):
    """Follows ``nextRecordsUrl`` until the query result says ``done``."""

    def update_state(self, response: Response, data: list[Any] | None = None) -> None:
        body = response.json()
        self._next_reference = None if body.get("done", True) else body.get("nextRecordsUrl")


def _limit_error(response: Response | None) -> str | None:
    """The message of a 403 ``REQUEST_LIMIT_EXCEEDED``, None for any other answer."""
    if response is None or response.status_code != 403 or b"REQUEST_LIMIT_EXCEEDED" not in response.content:
        return None
    try:
        body = response.json()
        return str(body[0].get("message", "")) if isinstance(body, list) and body else ""
    except (ValueError, AttributeError):
        return ""


def request_limit_exceeded(response: Response | None, exception: BaseException | None) -> bool:
    """Salesforce reports its API request limits as 403 ``REQUEST_LIMIT_EXCEEDED`` (not 429). The
    concurrent-request limit clears within seconds, so it is retried with backoff like a 429; the
    daily one (``TotalRequests``) does not, so it is not retried at all."""
    message = _limit_error(response)
    return message is not None and DAILY_LIMIT_MESSAGE not in message


def daily_limit_exceeded(response: Response | None) -> bool:
    message = _limit_error(response)
    return message is not None and DAILY_LIMIT_MESSAGE in message


def daily_limit_figures(response: Response) -> str:
    """``Max 15,000, Remaining 0`` for a refused request: from ``/limits`` when the org still answers
    it, else from the refusal's ``Sforce-Limit-Info: api-usage=used/max`` header, else nothing."""
    request = response.request
    match = re.search(r"^(.*?/services/data/v[\d.]+)/", request.url or "") if request is not None else None
    if match and request is not None and request.headers.get("Authorization"):
        try:
            limits = requests.get(f"{match.group(1)}/limits", timeout=10,
                                  headers={"Authorization": request.headers["Authorization"]})
            daily = limits.json().get("DailyApiRequests") if limits.status_code == 200 else None
            if daily:
                return f"Max {daily['Max']:,}, Remaining {daily['Remaining']:,} (from /limits)"
        except (requests.RequestException, ValueError, KeyError, TypeError, AttributeError):
            pass
    usage = re.fullmatch(r"api-usage=(\d+)/(\d+)", response.headers.get("Sforce-Limit-Info", ""))
    if usage:
        used, most = int(usage.group(1)), int(usage.group(2))
        return f"Max {most:,}, Remaining {max(0, most - used):,} (from the Sforce-Limit-Info header)"
    return "Max and Remaining unknown: /limits is refused too"


def selectable_fields(describe: Mapping[str, Any]) -> list[str]:
    """The fields a SOQL query can select, in describe's order (compound fields left out)."""
    return [
        field["name"]
        for field in describe.get("fields", [])
        if field.get("type") not in COMPOUND_FIELD_TYPES
    ]


def column_hints(describe: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """dlt column hints from describe's field types, so no column's type depends on its values."""
    columns = {name: {"name": name, "data_type": data_type} for name, data_type in COMMON_COLUMNS.items()}
    for field in describe.get("fields", []):
        if field.get("type") in COMPOUND_FIELD_TYPES:
            continue
        data_type = FIELD_TYPES.get(field.get("type", ""), "text")
        columns[field["name"]] = {"name": field["name"], "data_type": data_type, "nullable": True}
    return columns


def soql_datetime(value: str | datetime) -> str:
    """A SOQL datetime literal from a cursor value: a datetime, or a string as the REST API
    returns it (``...+0000``; states written before cursors were typed hold those)."""
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return value[:-5] + "Z" if value.endswith("+0000") else value


def build_soql(sobject: str, fields: Iterable[str], modified_since: str | datetime | None) -> str:
    """``SELECT ... FROM sobject`` and, on incremental runs, ``WHERE SystemModstamp >= since``.

    ``>=`` rather than ``>``: records sharing the last cursor value are fetched again and dlt's
    incremental drops the ones it already loaded, so a record committed in the same millisecond as
    the previous run's last one is not missed."""
    soql = f"SELECT {', '.join(fields)} FROM {sobject}"
    if modified_since:
        soql += f" WHERE {CURSOR_FIELD} >= {soql_datetime(modified_since)}"
    return soql

"""The HTTP session both sources use: dlt's retrying ``requests`` client (429, 5xx, dropped
connections and timeouts are retried with exponential backoff, honouring ``Retry-After``; attempts
and delays come from dlt's ``[runtime]`` settings) plus the conditions each API adds."""

from __future__ import annotations

from collections.abc import Callable

import orjson
from dlt.sources.helpers.requests import Client, Session
from requests import Response

RetryCondition = Callable[[Response | None, BaseException | None], bool]


def truncated_json(response: Response | None, exception: BaseException | None) -> bool:
    """A 2xx JSON answer whose body does not parse: cut off on the way (a proxy or a dropped
    connection that still ended cleanly). Sending the request again is the cure."""
    if response is None or not 200 <= response.status_code < 300:
        return False
    if "json" not in response.headers.get("Content-Type", ""):
        return False
    try:
        orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return True
    return False


def retrying_session(*conditions: RetryCondition) -> Session:
    """A session that retries like dlt's REST client does by default, plus on ``conditions``.

    ``raise_for_status`` stays off: dlt's REST client raises (with a sanitized URL) after the
    retries are spent."""
    return Client(raise_for_status=False, retry_condition=[truncated_json, *conditions]).session

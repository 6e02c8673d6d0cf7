"""The HTTP session both sources use: dlt's retrying ``requests`` client (429, 5xx, dropped
connections and timeouts are retried with exponential backoff, honouring ``Retry-After``; attempts
and delays come from dlt's ``[runtime]`` settings) plus the conditions each API adds.

JSON answers are parsed once, by orjson, when the retry conditions look at them: the truncation
check, the paginator and the REST client's data selector each ask for ``response.json()``, which
would otherwise parse the same page three times with a slower parser. (A session response hook
cannot do it: requests drops session hooks when a request brings its own, as dlt's paginate does.)"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import orjson
from dlt.sources.helpers.requests import Client, Session
from dlt.sources.helpers.requests.retry import DEFAULT_RETRY_STATUS
from requests import Response

RetryCondition = Callable[[Response | None, BaseException | None], bool]


def truncated_json(response: Response | None, exception: BaseException | None) -> bool:
    """A 2xx JSON answer whose body does not parse: cut off on the way (a proxy or a dropped
    connection that still ended cleanly). Sending the request again is the cure.

    A body that parses is kept: ``response.json()`` returns it from then on."""
    if response is None or not 200 <= response.status_code < 300:
        return False
    if "json" not in response.headers.get("Content-Type", ""):
        return False
    try:
        parsed = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return True
    response.json = lambda **_: parsed  # type: ignore[method-assign]
    return False


def retrying_session(*conditions: RetryCondition, status_codes: Sequence[int] = DEFAULT_RETRY_STATUS) -> Session:
    """A session that retries like dlt's REST client does by default, plus on ``conditions``.

    ``status_codes``: the statuses always retried (an API whose 429 can mean a limit that does not
    clear in seconds leaves 429 out and decides in a condition). ``raise_for_status`` stays off:
    dlt's REST client raises (with a sanitized URL) after the retries are spent."""
    return Client(
        raise_for_status=False, status_codes=status_codes, retry_condition=[truncated_json, *conditions]
    ).session

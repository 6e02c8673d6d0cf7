"""The org's request limits: the rolling 24-hour API request budget (``DailyApiRequests``), the
Bulk API 2.0 daily query-job count, the URI-plus-headers size limit and the ``/limits`` resource.

Salesforce reports both a used-up daily budget and too many concurrent long requests as 403
``REQUEST_LIMIT_EXCEEDED``; only the message tells them apart. The daily one does not clear in
seconds: it stays until requests of the last 24 hours fall below ``Max``. Sources (for each figure
and message): ingestion/sandbox/README.md, "Salesforce limits".
"""

from __future__ import annotations

import threading
import time
from collections import deque

from ingestion.sandbox.server.request import Request
from ingestion.sandbox.server.responses import ApiError, Response, SalesforceError

# An Enterprise Edition org's base allocation (plus 1,000 per user licence on a real org).
DEFAULT_DAILY_API_REQUESTS = 100_000
DAILY_BULK_V2_QUERY_JOBS = 10_000
DAILY_BULK_V2_QUERY_FILE_STORAGE_MB = 976_562  # 1 TB
WINDOW_SECONDS = 24 * 60 * 60
MAX_URI_AND_HEADERS_BYTES = 16_384

DAILY_MESSAGE = "TotalRequests Limit exceeded."
CONCURRENT_MESSAGE = "ConcurrentRequests (Concurrent API Requests) Limit exceeded."


class FrontEndError(ApiError):
    """Refused by Salesforce's web tier before the API sees the request: an HTML page (Jetty's),
    not the API's JSON error list."""

    def response(self) -> Response:
        body = f"<h1>Bad Message {self.status}</h1><pre>reason: {self.message}</pre>".encode()
        return Response(self.status, body, dict(self.headers), content_type="text/html;charset=iso-8859-1")


def check_request_size(request: Request) -> None:
    """414 when the URI alone is over the limit, 431 when URI plus headers are (Salesforce's limits
    cheat sheet: "the maximum length for the combined URI and headers is 16,384 bytes")."""
    if len(request.target.encode("latin-1", "replace")) > MAX_URI_AND_HEADERS_BYTES:
        raise FrontEndError(414, "URI Too Long", {"Connection": "close"})
    if request.header_bytes > MAX_URI_AND_HEADERS_BYTES:
        raise FrontEndError(431, "Request Header Fields Too Large", {"Connection": "close"})


class DailyBudget:
    """Requests of the last 24 hours against ``max_requests``; thread-safe."""

    def __init__(self, max_requests: int = DEFAULT_DAILY_API_REQUESTS, window: float = WINDOW_SECONDS):
        self._lock = threading.Lock()
        self.window = window
        self.max = max_requests
        self._stamps: deque[float] = deque()
        self._jobs: deque[float] = deque()

    def _prune(self, now: float) -> None:
        for stamps in (self._stamps, self._jobs):
            while stamps and now - stamps[0] >= self.window:
                stamps.popleft()

    def used(self) -> int:
        with self._lock:
            self._prune(time.time())
            return len(self._stamps)

    def charge(self) -> None:
        """Count one request, or refuse it (403) when the budget is used up."""
        now = time.time()
        with self._lock:
            self._prune(now)
            if len(self._stamps) >= self.max:
                raise SalesforceError(403, "REQUEST_LIMIT_EXCEEDED", DAILY_MESSAGE,
                                      headers={"Sforce-Limit-Info": f"api-usage={len(self._stamps)}/{self.max}"})
            self._stamps.append(now)

    def charge_bulk_job(self) -> None:
        now = time.time()
        with self._lock:
            self._prune(now)
            if len(self._jobs) >= DAILY_BULK_V2_QUERY_JOBS:
                raise SalesforceError(400, "LIMIT_EXCEEDED", "Max bulk v2 query jobs for the last 24 hours exceeded.")
            self._jobs.append(now)

    def set(self, max_requests: int | None = None, remaining: int | None = None) -> None:
        """Change ``Max`` and/or make ``Remaining`` what is given (as if other clients had spent the rest
        just now, so it does not come back before a day has passed)."""
        now = time.time()
        with self._lock:
            if max_requests is not None:
                if max_requests < 0:
                    raise ValueError("Max must be a non-negative integer")
                self.max = max_requests
            if remaining is not None:
                if not 0 <= remaining <= self.max:
                    raise ValueError(f"Remaining must be between 0 and Max ({self.max})")
                self._stamps = deque([now] * (self.max - remaining))

    def info(self) -> str:
        """The ``Sforce-Limit-Info`` header a REST answer carries."""
        return f"api-usage={self.used()}/{self.max}"

    def limits(self) -> dict:
        """The ``/limits`` resource (the entries Relay's clients read; a real org lists ~50)."""
        with self._lock:
            self._prune(time.time())
            used, jobs = len(self._stamps), len(self._jobs)
        return {
            "DailyApiRequests": {"Max": self.max, "Remaining": max(0, self.max - used)},
            "DailyBulkApiBatches": {"Max": 15_000, "Remaining": 15_000},
            "DailyBulkV2QueryFileStorageMB": {"Max": DAILY_BULK_V2_QUERY_FILE_STORAGE_MB,
                                              "Remaining": DAILY_BULK_V2_QUERY_FILE_STORAGE_MB},
            "DailyBulkV2QueryJobs": {"Max": DAILY_BULK_V2_QUERY_JOBS, "Remaining": DAILY_BULK_V2_QUERY_JOBS - jobs},
        }

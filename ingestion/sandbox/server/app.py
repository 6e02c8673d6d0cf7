"""Request dispatch: routes, authentication, fault injection, statistics, and the catch-all that
turns any error into the API's own error shape (never a stack trace)."""

from __future__ import annotations

import re
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import orjson

from ingestion.sandbox.server.faults import Fault, FaultPlan
from ingestion.sandbox.server import hubspot, salesforce
from ingestion.sandbox.server.hubspot import HubSpotApi
from ingestion.sandbox.server.request import Request
from ingestion.sandbox.server.responses import (
    ApiError,
    HubSpotError,
    Response,
    SalesforceError,
    json_response,
    sf_not_found,
)
from ingestion.sandbox.server.salesforce import SalesforceApi
from ingestion.sandbox.server.sf_limits import CONCURRENT_MESSAGE, check_request_size
from ingestion.sandbox.server.stats import Stats
from ingestion.sandbox.server.tables import DataFileError, TableStore

_V = r"/services/data/v(?P<version>\d+\.\d)"


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern
    endpoint: str  # "<api>.<name>", for statistics
    handle: Callable[[Request, re.Match], Response]
    auth: bool = True
    fixed_object: str | None = None

    @property
    def api(self) -> str:
        return self.endpoint.split(".", 1)[0]


@dataclass
class Outcome:
    response: Response
    body_fault: str | None = None  # drop_connection | malformed


class SandboxApp:
    def __init__(self, data_dir: Path, sf_client_id: str, sf_client_secret: str, hubspot_token: str,
                 faults: object = None):
        self.store = TableStore(data_dir)
        self.salesforce = SalesforceApi(self.store, sf_client_id, sf_client_secret)
        self.hubspot = HubSpotApi(self.store, hubspot_token)
        self.faults = FaultPlan()
        self.faults.replace(faults)
        self.stats = Stats()
        sf, hs = self.salesforce, self.hubspot
        r = re.compile
        self.routes = [
            Route("POST", r(r"^/services/oauth2/token/?$"), "salesforce.token", lambda q, m: sf.token(q), auth=False),
            Route("GET", r(r"^/services/data/?$"), "salesforce.versions", sf.versions, auth=False),
            Route("GET", r(_V + r"/query/?$"), "salesforce.query",
                  lambda q, m: sf.query(q, m, include_deleted=False)),
            Route("GET", r(_V + r"/queryAll/?$"), "salesforce.queryAll",
                  lambda q, m: sf.query(q, m, include_deleted=True)),
            Route("GET", r(_V + r"/(?:query|queryAll)/(?P<cursor>01g[A-Za-z0-9]+)-(?P<position>\d+)/?$"),
                  "salesforce.queryMore", sf.query_more),
            Route("GET", r(_V + r"/sobjects/?$"), "salesforce.sobjects", sf.sobjects),
            Route("GET", r(_V + r"/limits/?$"), "salesforce.limits", sf.limits),
            Route("POST", r(_V + r"/jobs/query/?$"), "salesforce.bulkCreate", sf.bulk.create),
            Route("GET", r(_V + r"/jobs/query/(?P<job>750[A-Za-z0-9]+)/?$"), "salesforce.bulkJob", sf.bulk.info),
            Route("PATCH", r(_V + r"/jobs/query/(?P<job>750[A-Za-z0-9]+)/?$"), "salesforce.bulkAbort", sf.bulk.abort),
            Route("DELETE", r(_V + r"/jobs/query/(?P<job>750[A-Za-z0-9]+)/?$"), "salesforce.bulkDelete",
                  sf.bulk.delete),
            Route("GET", r(_V + r"/jobs/query/(?P<job>750[A-Za-z0-9]+)/results/?$"), "salesforce.bulkResults",
                  sf.bulk.results),
            Route("GET", r(_V + r"/sobjects/(?P<sobject>[A-Za-z0-9_]+)/describe/?$"), "salesforce.describe",
                  sf.describe),
            Route("POST", r(r"^/crm/v3/objects/(?P<object>[A-Za-z0-9_]+)/search/?$"), "hubspot.search", hs.search),
            Route("POST", r(r"^/crm/v3/objects/(?P<object>[A-Za-z0-9_]+)/batch/read/?$"), "hubspot.batch_read",
                  hs.batch_read),
            Route("GET", r(r"^/crm/v3/objects/(?P<object>[A-Za-z0-9_]+)/?$"), "hubspot.list", hs.list_objects),
            Route("GET", r(r"^/crm/v3/objects/(?P<object>[A-Za-z0-9_]+)/(?P<record_id>[^/]+)/?$"), "hubspot.read",
                  hs.read_object),
            Route("GET", r(r"^/crm/v3/properties/(?P<object>[A-Za-z0-9_]+)/?$"), "hubspot.properties",
                  hs.properties),
            Route("GET", r(r"^/crm/v3/owners/?$"), "hubspot.owners", hs.owners, fixed_object="owners"),
            Route("GET", r(r"^/marketing/v3/(?P<kind>campaigns|emails|forms)/?$"), "hubspot.marketing",
                  hs.marketing),
            Route("GET", r(r"^/form-integrations/v1/submissions/forms/(?P<form_id>[^/]+)/?$"),
                  "hubspot.form_submissions", hs.form_submissions, fixed_object="form_submissions"),
            Route("GET", r(r"^/email/public/v1/events/?$"), "hubspot.email_events", hs.email_events,
                  fixed_object="email_events"),
        ]

    def warm(self) -> None:
        """Load every file now (e.g. in a background thread) instead of on its first request."""
        for api in ("salesforce", "hubspot"):
            for name in self.store.names(api):
                try:
                    self.store.get(api, name, profile_for(api, name))
                except Exception as error:  # a broken file must not stop the others from loading
                    print(f"sandbox: could not load {api}/{name}: {error}", file=sys.stderr)

    # --- dispatch ---------------------------------------------------------------------------

    def dispatch(self, request: Request) -> Outcome:
        if request.path.startswith("/__sandbox/"):
            return Outcome(self._admin(request))
        api = "salesforce" if request.path.startswith("/services/") else "hubspot"
        route, match = self._route(request)
        endpoint = route.endpoint if route else f"{api}.unknown"
        obj = None
        fired: list[Fault] = []
        body_fault = None
        try:
            if api == "salesforce":
                check_request_size(request)  # the web tier refuses it before routing or auth
            if api == "hubspot":
                self.hubspot.check_uri(request)  # the front proxy's limit comes before any routing
            if route is None:
                raise self._no_route(api, request, match)
            api = route.api
            if route.auth:
                (self.salesforce if api == "salesforce" else self.hubspot).authorize(request)
            if api == "hubspot":
                self.hubspot.spend_daily()
            obj = route.fixed_object or (self.salesforce if api == "salesforce" else self.hubspot).object_of(
                request, match)
            fired = self.faults.triggered(api, request.path, obj, request.method)
            for fault in fired:
                if fault.kind == "slow":
                    time.sleep(fault.seconds)
            for fault in fired:
                if fault.kind in ("rate_limit", "server_error"):
                    raise _fault_error(api, fault)
            for fault in fired:
                if fault.kind in ("drop_connection", "malformed"):
                    body_fault = fault.kind
            response = route.handle(request, match)
        except ApiError as error:
            response = error.response()
        except DataFileError as error:  # the sandbox's data is broken: say where, loudly
            print(f"sandbox: {error}", file=sys.stderr)
            response = _internal_error(api, f"sandbox data file is malformed: {error}").response()
        except Exception:  # the catch-all: log the trace for us, answer in the API's shape
            traceback.print_exc(file=sys.stderr)
            response = _internal_error(api).response()
        if api == "salesforce" and route is not None and route.auth and response.status != 401:
            response.headers.setdefault("Sforce-Limit-Info", self.salesforce.budget.info())
        self.stats.record(endpoint, obj, response.status, response.records,
                          [f"{f.name or f.kind}" for f in fired])
        return Outcome(response, body_fault if response.status == 200 else None)

    def _route(self, request: Request) -> tuple[Route | None, re.Match | None]:
        path_matched = None
        for route in self.routes:
            match = route.pattern.match(request.path)
            if match:
                if route.method == request.method:
                    return route, match
                path_matched = match
        return None, path_matched

    def _no_route(self, api: str, request: Request, path_matched: re.Match | None) -> ApiError:
        if path_matched is not None:
            if api == "salesforce":
                return SalesforceError(405, "METHOD_NOT_ALLOWED",
                                       f"HTTP Method '{request.method}' not allowed.")
            return HubSpotError(405, "VALIDATION_ERROR", f"HTTP method {request.method} is not supported here")
        if api == "salesforce":
            return sf_not_found(request.path)
        return HubSpotError(404, "OBJECT_NOT_FOUND", f"No API endpoint at {request.path}")

    # --- admin ------------------------------------------------------------------------------

    def _admin(self, request: Request) -> Response:
        path, method = request.path.rstrip("/"), request.method
        if path == "/__sandbox/health" and method == "GET":
            return json_response({"status": "ok", "data_dir": str(self.store.root)})
        if path == "/__sandbox/stats" and method == "GET":
            return json_response(self.stats.snapshot())
        if path == "/__sandbox/stats/reset" and method == "POST":
            self.stats.reset()
            return json_response({"status": "ok"})
        if path == "/__sandbox/faults":
            if method == "GET":
                return json_response({"faults": self.faults.describe()})
            if method in ("POST", "PUT", "DELETE"):
                try:
                    spec = [] if method == "DELETE" or not request.body.strip() else orjson.loads(request.body)
                    self.faults.replace(spec)
                except (ValueError, orjson.JSONDecodeError) as error:
                    return json_response({"status": "error", "message": f"bad fault plan: {error}"}, 400)
                return json_response({"faults": self.faults.describe()})
        if path == "/__sandbox/salesforce/limits":
            if method == "GET":
                return self.salesforce.limits(request, None)
            if method == "POST":  # {"DailyApiRequests": {"Max": n, "Remaining": m}}, either key optional
                try:
                    daily = (orjson.loads(request.body) or {}).get("DailyApiRequests") or {}
                    self.salesforce.budget.set(daily.get("Max"), daily.get("Remaining"))
                except (ValueError, TypeError, AttributeError, orjson.JSONDecodeError) as error:
                    return json_response({"status": "error", "message": f"bad limits: {error}"}, 400)
                return self.salesforce.limits(request, None)
        if path == "/__sandbox/hubspot/limits":  # search index lag and daily budget (hubspot.py)
            if method == "GET":
                return json_response(self.hubspot.limits())
            if method == "POST":
                try:
                    settings = orjson.loads(request.body) if request.body.strip() else {}
                    if not isinstance(settings, dict):
                        raise ValueError("expected a JSON object")
                    return json_response(self.hubspot.set_limits(settings))
                except (ValueError, orjson.JSONDecodeError) as error:
                    return json_response({"status": "error", "message": f"bad HubSpot limits: {error}"}, 400)
        if path == "/__sandbox/sessions/expire" and method == "POST":
            return json_response({"expired": self.salesforce.expire_sessions()})
        return json_response({"status": "error", "message": f"no admin endpoint {method} {request.path}"}, 404)


def profile_for(api: str, name: str):
    """The keys each file is loaded with (the same the endpoints serving it use)."""
    if api == "salesforce":
        return salesforce.PROFILE
    return {
        "owners": hubspot.PLAIN_PROFILE, "campaigns": hubspot.PLAIN_PROFILE,
        "marketing_emails": hubspot.PLAIN_PROFILE, "forms": hubspot.PLAIN_PROFILE,
        "email_events": hubspot.EVENTS_PROFILE, "form_submissions": hubspot.SUBMISSIONS_PROFILE,
    }.get(name, hubspot.CRM_PROFILE)


def _fault_error(api: str, fault: Fault) -> ApiError:
    if fault.kind == "rate_limit":
        if api == "salesforce":
            # the transient kind: too many long requests at once (the daily kind is DailyBudget's)
            return SalesforceError(403, "REQUEST_LIMIT_EXCEEDED", CONCURRENT_MESSAGE)
        retry = fault.retry_after
        return HubSpotError(
            429, "RATE_LIMITS", "You have reached your secondly limit.",
            headers={
                "Retry-After": str(int(retry)) if float(retry).is_integer() else str(retry),
                "X-HubSpot-RateLimit-Daily": "500000",
                "X-HubSpot-RateLimit-Daily-Remaining": "499000",
                "X-HubSpot-RateLimit-Interval-Milliseconds": "10000",
                "X-HubSpot-RateLimit-Max": "190",
                "X-HubSpot-RateLimit-Remaining": "0",
                "X-HubSpot-RateLimit-Secondly": "19",
                "X-HubSpot-RateLimit-Secondly-Remaining": "0",
            },
            extra={"errorType": "RATE_LIMIT", "policyName": "SECONDLY"},
        )
    if api == "salesforce":
        if fault.status == 503:
            return SalesforceError(503, "SERVER_UNAVAILABLE", "Server temporarily unavailable, please retry.")
        return SalesforceError(fault.status, "UNKNOWN_EXCEPTION", "An unexpected error occurred. Please retry.")
    return HubSpotError(fault.status, "INTERNAL_ERROR" if fault.status != 503 else "SERVICE_UNAVAILABLE",
                        "The service is temporarily unavailable, please retry.")


def _internal_error(api: str, detail: str | None = None) -> ApiError:
    if api == "salesforce":
        return SalesforceError(500, "UNKNOWN_EXCEPTION", detail or "An unexpected error occurred. Please "
                                                                   "include this ErrorId if you contact support: sandbox")
    return HubSpotError(500, "INTERNAL_ERROR", detail or "internal error")

"""A plain HTTP client (requests) that pages through the sandbox's APIs, for the demo, the tests
and the benchmark. It follows each API's own paging (``nextRecordsUrl``, ``after``, ``offset``), so
it is also a check that the server's wire formats hold together. Relay's loaders do not use it.
"""

from __future__ import annotations

from collections.abc import Iterator

import requests

from ingestion.sandbox.server.sandbox_server import (
    DEFAULT_HUBSPOT_TOKEN,
    DEFAULT_SF_CLIENT_ID,
    DEFAULT_SF_CLIENT_SECRET,
)

SF_VERSION = "v61.0"
HUBSPOT_CRM_OBJECTS = ("contacts", "companies")


class SandboxClientError(RuntimeError):
    def __init__(self, response: requests.Response):
        super().__init__(f"{response.request.method} {response.url} -> {response.status_code}: {response.text[:300]}")
        self.status = response.status_code
        self.body = response.text


class SandboxClient:
    def __init__(self, base_url: str, sf_client_id: str = DEFAULT_SF_CLIENT_ID,
                 sf_client_secret: str = DEFAULT_SF_CLIENT_SECRET, hubspot_token: str = DEFAULT_HUBSPOT_TOKEN,
                 timeout: float = 120):
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.timeout = timeout
        self._sf_credentials = (sf_client_id, sf_client_secret)
        self._sf_token: str | None = None
        self._sf_instance: str | None = None
        self._hs_headers = {"Authorization": f"Bearer {hubspot_token}"}

    def close(self) -> None:
        self.session.close()

    def _check(self, response: requests.Response) -> dict:
        if response.status_code != 200:
            raise SandboxClientError(response)
        return response.json()

    # --- Salesforce ---------------------------------------------------------------------------

    def sf_login(self) -> dict:
        client_id, secret = self._sf_credentials
        body = self._check(self.session.post(
            f"{self.base_url}/services/oauth2/token",
            data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
            timeout=self.timeout,
        ))
        self._sf_token, self._sf_instance = body["access_token"], body["instance_url"]
        return body

    def sf_get(self, path: str, params: dict | None = None) -> dict:
        if self._sf_token is None:
            self.sf_login()
        return self._check(self.session.get(
            f"{self._sf_instance}{path}", params=params,
            headers={"Authorization": f"Bearer {self._sf_token}"}, timeout=self.timeout,
        ))

    def sf_objects(self) -> list[str]:
        return [o["name"] for o in self.sf_get(f"/services/data/{SF_VERSION}/sobjects")["sobjects"]]

    def sf_fields(self, sobject: str) -> list[str]:
        return [f["name"] for f in self.sf_get(f"/services/data/{SF_VERSION}/sobjects/{sobject}/describe")["fields"]]

    def soql(self, query: str, include_deleted: bool = False) -> Iterator[dict]:
        """Every record of a query, following ``nextRecordsUrl``."""
        endpoint = "queryAll" if include_deleted else "query"
        page = self.sf_get(f"/services/data/{SF_VERSION}/{endpoint}", {"q": query})
        while True:
            yield from page["records"]
            if page["done"]:
                return
            page = self.sf_get(page["nextRecordsUrl"])

    # --- HubSpot ------------------------------------------------------------------------------

    def hs_get(self, path: str, params: dict | None = None) -> dict:
        return self._check(self.session.get(f"{self.base_url}{path}", params=params, headers=self._hs_headers,
                                            timeout=self.timeout))

    def hs_post(self, path: str, body: dict) -> dict:
        return self._check(self.session.post(f"{self.base_url}{path}", json=body, headers=self._hs_headers,
                                             timeout=self.timeout))

    def hs_list(self, path: str, params: dict | None = None) -> Iterator[dict]:
        """Every result of a list endpoint, following ``paging.next.after``."""
        params = dict(params or {})
        while True:
            page = self.hs_get(path, params)
            yield from page["results"]
            after = (page.get("paging") or {}).get("next", {}).get("after")
            if not after:
                return
            params["after"] = after

    def crm_objects(self, name: str, archived: bool = False, properties: list[str] | None = None,
                    associations: list[str] | None = None, limit: int = 100) -> Iterator[dict]:
        params: dict = {"limit": limit, "archived": str(archived).lower()}
        if properties:
            params["properties"] = ",".join(properties)
        if associations:
            params["associations"] = ",".join(associations)
        return self.hs_list(f"/crm/v3/objects/{name}", params)

    def crm_search(self, name: str, body: dict) -> Iterator[dict]:
        """Every result of a CRM search, following ``after`` (stops at the 10,000 cap's 400)."""
        body = dict(body)
        while True:
            page = self.hs_post(f"/crm/v3/objects/{name}/search", body)
            yield from page["results"]
            after = (page.get("paging") or {}).get("next", {}).get("after")
            if not after:
                return
            body["after"] = after

    def email_events(self, limit: int = 1000, **params) -> Iterator[dict]:
        query = {"limit": limit, **params}
        while True:
            page = self.hs_get("/email/public/v1/events", query)
            yield from page["events"]
            if not page["hasMore"]:
                return
            query["offset"] = page["offset"]

    def form_submissions(self, form_id: str, limit: int = 50) -> Iterator[dict]:
        return self.hs_list(f"/form-integrations/v1/submissions/forms/{form_id}", {"limit": limit})


def page_salesforce(client: SandboxClient) -> dict[str, int]:
    """Records served per SObject, every field, deleted rows included (queryAll)."""
    counts = {}
    for sobject in client.sf_objects():
        fields = client.sf_fields(sobject)
        counts[f"salesforce/{sobject}"] = sum(
            1 for _ in client.soql(f"SELECT {', '.join(fields)} FROM {sobject}", include_deleted=True)
        )
    return counts


def page_hubspot(client: SandboxClient, crm_objects: tuple[str, ...] = HUBSPOT_CRM_OBJECTS) -> dict[str, int]:
    """Records served per HubSpot file, archived records included."""
    counts = {}
    for name in crm_objects:
        counts[f"hubspot/{name}"] = sum(
            sum(1 for _ in client.crm_objects(name, archived=archived)) for archived in (False, True)
        )
    for name, path, params in (("owners", "/crm/v3/owners", {"limit": 500}),
                               ("marketing_emails", "/marketing/v3/emails", {"limit": 100}),
                               ("forms", "/marketing/v3/forms", {"limit": 100, "formTypes": "all"})):
        counts[f"hubspot/{name}"] = sum(
            sum(1 for _ in client.hs_list(path, {**params, "archived": str(archived).lower()}))
            for archived in (False, True)
        )
    # The campaigns API has no archived listing: deleted campaigns are gone.
    counts["hubspot/campaigns"] = sum(1 for _ in client.hs_list("/marketing/v3/campaigns", {"limit": 100}))
    counts["hubspot/email_events"] = sum(1 for _ in client.email_events())
    form_ids = [form["id"] for archived in ("false", "true")
                for form in client.hs_list("/marketing/v3/forms",
                                           {"limit": 100, "archived": archived, "formTypes": "all"})]
    counts["hubspot/form_submissions"] = sum(sum(1 for _ in client.form_submissions(f)) for f in form_ids)
    return counts

"""Small helpers for the sandbox server tests: reading the data files, authenticating with plain
requests, and writing hand-made data files (the data directory is a public interface)."""

from __future__ import annotations

import os
from pathlib import Path

import orjson
import requests

from tests.fixtures.sandbox import SANDBOX_CREDENTIALS

SF = "/services/data/v61.0"
HS_HEADERS = {"Authorization": f"Bearer {SANDBOX_CREDENTIALS['hubspot_token']}"}


def read_records(path: Path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


def write_records(path: Path, records: list[dict]) -> None:
    """Write a JSONL file the way a user would replace it: a new file renamed over the old one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    os.replace(temporary, path)


def sf_token(base_url: str) -> str:
    response = requests.post(f"{base_url}/services/oauth2/token", data={
        "grant_type": "client_credentials",
        "client_id": SANDBOX_CREDENTIALS["sf_client_id"],
        "client_secret": SANDBOX_CREDENTIALS["sf_client_secret"],
    })
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def sf_headers(base_url: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {sf_token(base_url)}"}


def assert_sf_error(response: requests.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert isinstance(body, list) and len(body) == 1, body
    assert body[0]["errorCode"] == code and isinstance(body[0]["message"], str) and body[0]["message"]


def assert_hs_error(response: requests.Response, status: int, category: str | None = None) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] == "error" and body["message"] and body["correlationId"], body
    if category:
        assert body["category"] == category, body
    return body


def sf_record(index: int, sobject: str = "Widget__c", **fields) -> dict:
    """A hand-made Salesforce record with the common fields."""
    record_id = f"a0X{index:015d}"
    stamp = f"2024-01-{1 + index % 28:02d}T{index % 24:02d}:00:00.000+0000"
    return {
        "attributes": {"type": sobject, "url": f"{SF}/sobjects/{sobject}/{record_id}"},
        "Id": record_id, "IsDeleted": False, "Name": f"widget {index}",
        "CreatedDate": stamp, "LastModifiedDate": stamp, "SystemModstamp": stamp, **fields,
    }


def hs_contact(index: int, **properties) -> dict:
    stamp = f"2024-02-{1 + index % 28:02d}T{index % 24:02d}:00:00.000Z"
    return {
        "id": str(100_000 + index),
        "properties": {"email": f"person{index}@example.com", "createdate": stamp, "lastmodifieddate": stamp,
                       "hs_object_id": str(100_000 + index), **properties},
        "createdAt": stamp, "updatedAt": stamp, "archived": False,
    }

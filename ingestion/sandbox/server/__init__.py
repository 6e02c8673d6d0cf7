"""The sandbox HTTP server: a data directory served over Salesforce's and HubSpot's wire formats.

See README.md one level up ("Wire formats served") for the endpoints, faults and credentials."""

from ingestion.sandbox.server.faults import KINDS as FAULT_KINDS
from ingestion.sandbox.server.faults import parse_plan
from ingestion.sandbox.server.sandbox_server import (
    DEFAULT_HUBSPOT_TOKEN,
    DEFAULT_SF_CLIENT_ID,
    DEFAULT_SF_CLIENT_SECRET,
    SandboxServer,
)

__all__ = [
    "DEFAULT_HUBSPOT_TOKEN",
    "DEFAULT_SF_CLIENT_ID",
    "DEFAULT_SF_CLIENT_SECRET",
    "FAULT_KINDS",
    "SandboxServer",
    "parse_plan",
]

"""Command line for the sandbox: generate, mutate, serve, demo."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m ingestion.sandbox", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    gen = sub.add_parser("generate", help="write a synthetic Salesforce + HubSpot dataset")
    gen.add_argument("--people", type=int, default=10_000, help="number of people (100 to 1,000,000)")
    gen.add_argument("--seed", type=int, default=42)
    gen.add_argument("--out", type=Path, default=Path("data/sandbox"))
    gen.add_argument("--as-of", default=None, help="the dataset's 'now' (ISO date); default: today, UTC")
    gen.add_argument("--custom-fields", type=int, default=0, metavar="N",
                     help="wide profile: N custom properties on HubSpot contacts, 3N/5 custom fields on "
                          "Salesforce Lead, Contact, Account, Opportunity and HubSpot companies (default 0)")

    mut = sub.add_parser("mutate", help="update, insert and delete a fraction of the records")
    mut.add_argument("--dir", type=Path, default=Path("data/sandbox"))
    mut.add_argument("--fraction", type=float, default=0.01)
    mut.add_argument("--seed", type=int, default=7)

    srv = sub.add_parser("serve", help="serve a data directory over the Salesforce and HubSpot APIs")
    srv.add_argument("--dir", type=Path, default=Path("data/sandbox"))
    srv.add_argument("--host", default="127.0.0.1")
    srv.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    srv.add_argument("--faults", type=Path, default=None, help="JSON file of faults to inject")
    srv.add_argument("--sf-client-id", default=None,
                     help="Salesforce client_id to accept (default: $RELAY_SANDBOX_SF_CLIENT_ID or relay-sandbox)")
    srv.add_argument("--sf-client-secret", default=None,
                     help="Salesforce client_secret to accept (default: $RELAY_SANDBOX_SF_CLIENT_SECRET "
                          "or relay-sandbox-secret)")
    srv.add_argument("--hubspot-token", default=None,
                     help="HubSpot private-app token to accept (default: $RELAY_SANDBOX_HUBSPOT_TOKEN "
                          "or pat-sandbox-relay)")

    demo = sub.add_parser("demo", help="generate a dataset, serve it and show that both APIs answer")
    demo.add_argument("--people", type=int, default=10_000)
    demo.add_argument("--seed", type=int, default=42)
    demo.add_argument("--dir", type=Path, default=Path("data/sandbox"))
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from ingestion.sandbox import cli

    return cli.run(args)


if __name__ == "__main__":
    sys.exit(main())

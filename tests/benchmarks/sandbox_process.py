"""The sandbox server in its own process, as the benchmarks run it: the client under measurement
and the server do not share one interpreter (or one GIL)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ingestion.sandbox.client import SandboxClient

REPO_ROOT = Path(__file__).resolve().parents[2]


class SandboxStartError(RuntimeError):
    """The server process did not announce its URL."""


@contextmanager
def sandbox_server(data_dir: Path, log: Path | None = None) -> Iterator[tuple[str, int]]:
    """``python -m ingestion.sandbox serve`` on a free port, in its own process: (url, pid).
    The server's stderr goes to ``log`` when given, else to this process's stderr."""
    err = log.open("w") if log else None
    try:
        server = subprocess.Popen(
            [sys.executable, "-m", "ingestion.sandbox", "serve", "--dir", str(data_dir), "--port", "0"],
            cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=err, text=True,
        )
    finally:
        if err:
            err.close()
    try:
        line = server.stdout.readline().strip() if server.stdout else ""
        url = line.rsplit(" ", 1)[-1]
        if not url.startswith("http://"):
            raise SandboxStartError(f"the sandbox server did not start ({line!r})" + (f"; see {log}" if log else ""))
        yield url, server.pid
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def warm(url: str) -> None:
    """One small request per object, so every file is loaded before anything is timed (the
    server's own file loading is the sandbox's start-up, not an API's paging rate)."""
    client = SandboxClient(url, timeout=1800)
    try:
        for sobject in client.sf_objects():
            client.sf_get("/services/data/v61.0/query", {"q": f"SELECT Id FROM {sobject} LIMIT 1"})
        for name in ("contacts", "companies"):
            next(client.crm_objects(name, limit=1), None)
        for path in ("/crm/v3/owners", "/marketing/v3/campaigns", "/marketing/v3/emails", "/marketing/v3/forms"):
            client.hs_get(path, {"limit": 1})
        next(client.email_events(limit=1), None)
        form = next(client.hs_list("/marketing/v3/forms", {"limit": 1}), None)
        if form:
            next(client.form_submissions(form["id"], limit=1), None)
    finally:
        client.close()

"""The sandbox command line, run as a user runs it (subprocess): clean one-line errors, exit codes,
and a serve process that starts, answers and stops on SIGTERM."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests

REPO = Path(__file__).resolve().parents[2]


def _cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ingestion.sandbox", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=timeout)


def _assert_clean_error(result: subprocess.CompletedProcess, *fragments: str) -> None:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        (["generate", "--people", "5"], ["people"]),
        (["generate", "--people", "200", "--seed", "-1"], ["seed"]),
        (["mutate", "--dir", "{missing}"], ["not a directory"]),
        (["mutate", "--dir", "{empty}"], ["manifest.json"]),
        (["serve", "--dir", "{missing}"], ["not a directory"]),
        (["demo", "--people", "3", "--dir", "{empty}/demo"], ["people"]),
    ],
)
def test_user_mistakes_are_one_line_errors(tmp_path, args, fragments):
    (tmp_path / "empty").mkdir()
    filled = [a.format(missing=tmp_path / "missing", empty=tmp_path / "empty") for a in args]
    if args[0] == "generate":
        filled += ["--out", str(tmp_path / "out")]
    _assert_clean_error(_cli(*filled), *fragments)


def test_generate_into_a_file_and_mutate_with_a_bad_fraction(tmp_path, sandbox_dataset_copy):
    a_file = tmp_path / "file.txt"
    a_file.write_text("not a directory")
    _assert_clean_error(_cli("generate", "--people", "200", "--out", str(a_file)), "not a directory")
    _assert_clean_error(_cli("mutate", "--dir", str(sandbox_dataset_copy), "--fraction", "2"), "fraction")


def test_bad_fault_files(tmp_path, sandbox_dataset):
    not_json = tmp_path / "faults.json"
    not_json.write_text("{nope")
    _assert_clean_error(_cli("serve", "--dir", str(sandbox_dataset), "--faults", str(not_json)), "not valid JSON")
    bad_kind = tmp_path / "kind.json"
    bad_kind.write_text(json.dumps([{"kind": "meteor"}]))
    _assert_clean_error(_cli("serve", "--dir", str(sandbox_dataset), "--faults", str(bad_kind)), "kind")
    _assert_clean_error(_cli("serve", "--dir", str(sandbox_dataset), "--faults", str(tmp_path / "none.json")),
                        "not found")


def test_generate_then_mutate(tmp_path):
    out = tmp_path / "data"
    generated = _cli("generate", "--people", "150", "--seed", "3", "--out", str(out), "--as-of", "2025-01-01")
    assert generated.returncode == 0, generated.stderr
    assert "Generated" in generated.stdout and "150 people" in generated.stdout
    assert (out / "salesforce" / "Lead.jsonl").is_file()
    mutated = _cli("mutate", "--dir", str(out), "--fraction", "0.1", "--seed", "1")
    assert mutated.returncode == 0, mutated.stderr
    assert mutated.stdout.startswith("Mutation 1 of") and "updated" in mutated.stdout


def test_serve_answers_and_stops_on_sigterm(tmp_path, sandbox_dataset):
    faults = tmp_path / "faults.json"
    faults.write_text(json.dumps({"faults": [{"kind": "rate_limit", "api": "hubspot", "count": 1}]}))
    process = subprocess.Popen(
        [sys.executable, "-m", "ingestion.sandbox", "serve", "--dir", str(sandbox_dataset), "--port", "0",
         "--faults", str(faults), "--hubspot-token", "pat-custom"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        first = process.stdout.readline().strip()
        assert first.startswith(f"Sandbox serving {sandbox_dataset} on http://127.0.0.1:"), first
        url = first.rsplit(" ", 1)[-1]
        default = {"Authorization": "Bearer pat-sandbox-relay"}
        assert requests.get(f"{url}/crm/v3/owners", headers=default, timeout=30).status_code == 401
        headers = {"Authorization": "Bearer pat-custom"}
        assert requests.get(f"{url}/crm/v3/owners", headers=headers, timeout=30).status_code == 429
        assert requests.get(f"{url}/crm/v3/owners", headers=headers, timeout=30).status_code == 200
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert "Sandbox stopped after 3 requests" in out
    assert "Traceback" not in err


def test_demo_serves_every_object_in_full(sandbox_dataset_copy):
    from tests.fixtures.sandbox import SANDBOX_PEOPLE, SANDBOX_SEED

    result = _cli("demo", "--people", str(SANDBOX_PEOPLE), "--seed", str(SANDBOX_SEED),
                  "--dir", str(sandbox_dataset_copy))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Using the dataset in" in result.stdout  # the copy's manifest matches: no regeneration
    assert "Every object was served in full" in result.stdout
    assert "MISMATCH" not in result.stdout
    assert "salesforce/Lead" in result.stdout and "hubspot/email_events" in result.stdout


def test_serve_on_a_busy_port_is_a_clean_error(sandbox_dataset):
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = _cli("serve", "--dir", str(sandbox_dataset), "--port", str(port))
    _assert_clean_error(result, "cannot listen", str(port))

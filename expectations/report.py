"""The one-page data-quality summary for ops, written beside the GX Data Docs site.

For every table Relay validates: its latest status, the trend over its recent runs, its row count,
which expectations failed and a sample of the failing values or rows. Markdown (``report.md``) for
terminals and pull requests, HTML (``report.html``) for a browser; both link the Data Docs site.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from pathlib import Path

from expectations.context import quality_dir
from expectations.history import History
from expectations.validation import data_docs_index

SYMBOLS = {"passed": "✔", "warning": "!", "failed": "✘"}


def write_report(root: Path | None = None) -> Path:
    """Rewrite the summary from the history; returns the HTML page's path."""
    root = root or quality_dir()
    history = History(root)
    latest = history.latest()
    docs = data_docs_index(root)
    generated = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    rows = []
    for table, record in sorted(latest.items()):
        trend = "".join(SYMBOLS.get(s, "?") for s in history.trend(table))
        rows.append((table, record, trend))
    (root / "report.md").write_text(_markdown(rows, docs, generated), encoding="utf-8")
    page = root / "report.html"
    page.write_text(_html(rows, docs, generated), encoding="utf-8")
    return page


def _failures(record) -> list[str]:
    lines = []
    for failure in record.failed:
        count = failure.get("unexpected_count")
        sample = json.dumps(failure.get("sample") or [], default=str)[:300]
        lines.append(
            f"{failure['expectation']} [{failure['severity']}]"
            + (f", {count} unexpected" if count is not None else "")
            + (f", sample: {sample}" if failure.get("sample") else "")
        )
    return lines


def _markdown(rows, docs: Path | None, generated: str) -> str:
    failing = sum(1 for _, r, _ in rows if r.status == "failed")
    warning = sum(1 for _, r, _ in rows if r.status == "warning")
    out = [
        "# Relay data quality",
        "",
        f"Generated {generated}. {len(rows)} tables: {len(rows) - failing - warning} passed, "
        f"{warning} with warnings, {failing} failed (blocking).",
        "",
        f"Great Expectations Data Docs: {docs}" if docs else "Data Docs: not built yet",
        "",
        "| table | status | trend (oldest → newest) | rows | last validated |",
        "|---|---|---|---|---|",
    ]
    for table, record, trend in rows:
        out.append(f"| {table} | {record.status} | {trend} | {record.row_count if record.row_count is not None else ''} | {record.validated_at} |")
    for table, record, _ in rows:
        if record.failed:
            out += ["", f"## {table}: {record.status}", ""]
            out += [f"- {line}" for line in _failures(record)]
    return "\n".join(out) + "\n"


def _html(rows, docs: Path | None, generated: str) -> str:
    colors = {"passed": "#1a7f37", "warning": "#9a6700", "failed": "#cf222e"}
    body = [
        "<h1>Relay data quality</h1>",
        f"<p>Generated {html.escape(generated)}. "
        + (f'<a href="{html.escape(docs.as_uri())}">Great Expectations Data Docs</a>' if docs else "Data Docs not built yet")
        + "</p>",
        "<table><tr><th>table</th><th>status</th><th>trend (oldest → newest)</th><th>rows</th><th>failed expectations (sample)</th></tr>",
    ]
    for table, record, trend in rows:
        failures = "<br>".join(html.escape(line) for line in _failures(record))
        body.append(
            f"<tr><td>{html.escape(table)}</td>"
            f'<td style="color:{colors.get(record.status, "black")}"><b>{record.status}</b></td>'
            f"<td>{html.escape(trend)}</td><td>{record.row_count if record.row_count is not None else ''}</td>"
            f"<td>{failures}</td></tr>"
        )
    body.append("</table>")
    style = "body{font-family:sans-serif;margin:2em}td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top}table{border-collapse:collapse}"
    return f"<!doctype html><html><head><meta charset='utf-8'><title>Relay data quality</title><style>{style}</style></head><body>{''.join(body)}</body></html>\n"

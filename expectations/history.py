"""The quality history: one JSON line per validated table per run, kept beside the GX project.

It feeds two things: the previous load's row count (the row-count-change expectation) and the
trend column of the summary report.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

HISTORY_FILE = "history.jsonl"
KEEP_RUNS = 50


@dataclass
class TableRecord:
    run_id: str
    validated_at: str
    table: str
    status: str
    """``passed``, ``warning`` (only warning-severity expectations failed) or ``failed``."""
    row_count: int | None = None
    failed: list[dict] = field(default_factory=list)
    """Failed expectations: ``expectation``, ``severity``, ``unexpected_count``, ``sample``."""


class History:
    def __init__(self, root: Path) -> None:
        self.path = root / HISTORY_FILE

    def records(self) -> list[TableRecord]:
        if not self.path.exists():
            return []
        lines = self.path.read_text(encoding="utf-8").splitlines()
        return [TableRecord(**json.loads(line)) for line in lines if line.strip()]

    def previous_row_count(self, table: str) -> int | None:
        for record in reversed(self.records()):
            if record.table == table and record.row_count is not None:
                return record.row_count
        return None

    def trend(self, table: str, runs: int = 10) -> list[str]:
        """Statuses of the table's last ``runs`` validations, oldest first."""
        return [r.status for r in self.records() if r.table == table][-runs:]

    def latest(self) -> dict[str, TableRecord]:
        """Each table's most recent record."""
        return {record.table: record for record in self.records()}

    def append(self, records: list[TableRecord]) -> None:
        kept = self.records() + records
        run_ids = list(dict.fromkeys(r.run_id for r in kept))[-KEEP_RUNS:]
        kept = [r for r in kept if r.run_id in set(run_ids)]
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text("".join(json.dumps(asdict(r)) + "\n" for r in kept), encoding="utf-8")
        tmp.replace(self.path)

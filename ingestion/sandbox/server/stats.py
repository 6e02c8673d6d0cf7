"""Request statistics of a running sandbox: requests, statuses and records per endpoint and object."""

from __future__ import annotations

import threading
from collections import defaultdict


class Stats:
    def __init__(self):
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._total = 0
            self._endpoints: dict[str, dict] = defaultdict(lambda: {"requests": 0, "records": 0, "statuses": {}})
            self._objects: dict[str, dict] = defaultdict(lambda: {"requests": 0, "records": 0})
            self._faults: dict[str, int] = defaultdict(int)

    def record(self, endpoint: str, obj: str | None, status: int, records: int, faults: list[str]) -> None:
        with self._lock:
            self._total += 1
            entry = self._endpoints[endpoint]
            entry["requests"] += 1
            entry["records"] += records
            entry["statuses"][str(status)] = entry["statuses"].get(str(status), 0) + 1
            if obj:
                api = endpoint.split(".", 1)[0]
                per_object = self._objects[f"{api}/{obj}"]
                per_object["requests"] += 1
                per_object["records"] += records
            for fault in faults:
                self._faults[fault] += 1

    def snapshot(self) -> dict:
        with self._lock:
            return {
                "requests": self._total,
                "records": sum(e["records"] for e in self._endpoints.values()),
                "endpoints": {k: {**v, "statuses": dict(v["statuses"])} for k, v in self._endpoints.items()},
                "objects": {k: dict(v) for k, v in self._objects.items()},
                "faults": dict(self._faults),
            }

"""Peak resident memory of a process tree, sampled in a background thread, with one process of the
tree (the sandbox server, a stand-in for the vendors' APIs) also reported on its own.

Resident sizes are summed over the process and all its descendants at each sample, so the peak is
what the machine had to hold at one moment, not the sum of each process's own peak.
"""

from __future__ import annotations

import os
import threading

import psutil


class TreeMemory:
    def __init__(self, root_pid: int | None = None, apart_pid: int | None = None, interval: float = 0.1):
        self.interval = interval
        self.apart_pid = apart_pid
        self.start_total = 0
        self.peak_total = 0
        self.peak_without_apart = 0
        self.peak_apart = 0
        self._root = psutil.Process(root_pid or os.getpid())
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tree-memory", daemon=True)

    def sample(self) -> tuple[int, int]:
        """(RSS of the whole tree, RSS of the process kept apart) right now, in bytes."""
        try:
            processes = [self._root, *self._root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return 0, 0
        total = apart = 0
        for process in processes:
            try:
                rss = process.memory_info().rss
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
            total += rss
            if process.pid == self.apart_pid:
                apart = rss
        return total, apart

    def _record(self) -> None:
        total, apart = self.sample()
        self.peak_total = max(self.peak_total, total)
        self.peak_apart = max(self.peak_apart, apart)
        self.peak_without_apart = max(self.peak_without_apart, total - apart)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self._record()

    def __enter__(self) -> TreeMemory:
        self.start_total = self.sample()[0]
        self._record()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self._record()

"""Process-tree statistics from /proc (Linux) for the benchmarks: a server's worker processes,
their CPU time and peak memory, and waiting until they are idle."""

from __future__ import annotations

import os
import time
from pathlib import Path


def wait_idle(pid: int, timeout_s: float = 180.0) -> None:
    """Wait until the server's processes use under 5 % of a core over one second (each HTTP
    worker has imported the grid model and read the signals), or ``timeout_s``."""
    stop = time.monotonic() + timeout_s
    while time.monotonic() < stop:
        pids = process_tree(pid)
        before = sum(cpu_s(p) for p in pids)
        time.sleep(1.0)
        if sum(cpu_s(p) for p in pids) - before < 0.05:
            return


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (uvicorn's worker processes)."""
    parent_of = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                parent_of[int(entry.name)] = int(fields[1])
            except (OSError, IndexError, ValueError):
                continue
    out, frontier = [pid], [pid]
    while frontier:
        kids = [p for p, pp in parent_of.items() if pp in frontier]
        out += kids
        frontier = kids
    return out


def cpu_s(pid: int) -> float:
    """User + system CPU time of a process so far. [s]"""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def peak_rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0

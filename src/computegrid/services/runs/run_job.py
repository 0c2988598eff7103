"""Child-process entry point of one planning run: ``python -m computegrid.services.runs.run_job DIR``.

Reads ``DIR/_request.json`` (runner, params), calls ``runner(params, DIR)`` which writes the
run's files into DIR and returns its summary, and writes ``DIR/_result.json`` atomically. Exits
when the parent (the server) dies, so that no orphan keeps solving.
"""

from __future__ import annotations

import importlib
import json
import math
import os
import sys
import threading
import time
from pathlib import Path

from computegrid.errors import InputError
from computegrid.io.atomic import atomic_write


#: CPU priority of planning runs (``nice`` increment): they yield the CPU to the HTTP server. 19, the
#: lowest priority: under Linux's scheduler a nice-19 process weighs 15 against 1,024 for the server
#: (kernel/sched/core.c, sched_prio_to_weight), so a queue of runs takes about 1.5 % of a core the
#: server needs. On Linux the run is also put in the ``SCHED_IDLE`` class (weight 3, and a waking
#: server thread preempts it at once: sched(7)), which any process may choose for itself.
RUN_NICENESS = 19


def limit_this_process(memory_limit_bytes: int | None) -> None:
    """Lowest CPU priority, and the address space capped (``RLIMIT_AS``) when a limit is given.

    The run applies them to itself, first thing, before any import starts a thread (threads
    inherit them), rather than the server in a ``preexec_fn``: a ``preexec_fn`` makes
    ``subprocess`` fork the whole server (20-40 ms with the GIL held, measured with 0.8 GB
    resident, 2026-11-28) instead of a ``vfork`` (under 4 ms), a stall of every request.
    """
    import resource

    os.nice(RUN_NICENESS - os.nice(0))
    try:  # below every nice level: runs only on a core nothing else wants (Linux)
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    except (AttributeError, OSError):
        pass  # not Linux, or refused: nice 19 stays
    if memory_limit_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (int(memory_limit_bytes), int(memory_limit_bytes)))


def _watch_parent(parent_pid: int) -> None:
    while True:
        if os.getppid() != parent_pid:
            os._exit(3)
        time.sleep(1.0)


def _finite(obj: object) -> object:
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {str(k): _finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite(v) for v in obj]
    return obj


def write_json_atomic(path: Path, obj: object) -> None:
    """Write strict JSON (non-finite numbers as null) to ``path`` through a temp file and a rename."""
    text = json.dumps(_finite(obj), allow_nan=False, default=str)
    atomic_write(path, lambda tmp: tmp.write_text(text))


def main(argv: list[str]) -> int:
    out_dir = Path(argv[0])
    request = json.loads((out_dir / "_request.json").read_text())
    limit_this_process(request.get("memory_limit_bytes"))
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()
    module_name, _, fn_name = request["runner"].partition(":")
    try:
        runner = getattr(importlib.import_module(module_name), fn_name)
        summary = runner(request["params"], out_dir)
    except InputError as exc:
        write_json_atomic(out_dir / "_result.json", {"error": f"bad input: {exc}"})
        return 2
    except Exception as exc:  # noqa: BLE001 - reported to the store as the failure reason
        write_json_atomic(out_dir / "_result.json",
                          {"error": f"{type(exc).__name__}: {exc}".replace("\n", " ")[:2000]})
        return 1
    write_json_atomic(out_dir / "_result.json", {"summary": summary})
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

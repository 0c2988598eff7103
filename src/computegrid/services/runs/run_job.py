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
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True).start()
    request = json.loads((out_dir / "_request.json").read_text())
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

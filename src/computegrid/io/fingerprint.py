"""A hash of the package's own model code and bundled data, for the names of cached artefacts.

A cached artefact (the base-year signals, the 2030 expansion network, the default plan of
``plan move``) is only valid for the model that made it. A version number bumped by hand misses
changes of the bundled data and of the code in between releases; this hash does not.
"""

from __future__ import annotations

import fnmatch
import functools
import hashlib
from pathlib import Path

#: The parts of the package a solved grid depends on (the 2030 expansion; with ``SIGNALS_PARTS`` the
#: base-year signals): the grid model's code, the bundled data (tables and hourly profiles) with its
#: readers, the profile calibration (``supply``), the corridor lengths (``facility/latency.py``) and the
#: expansion's service layer.
GRID_PARTS = (("grid", "*.py"), ("datasets", "*.py"), ("datasets/data", "*.csv"), ("datasets/data", "*.parquet"),
              ("supply", "*.py"), ("facility", "*.py"), ("services/grid_model", "*.py"))
#: Files (paths under the package) that no solved grid depends on: the co-planning LP (``grid/coplan*.py``),
#: which the grid build and the signals never import. Left out of the grid's hash so that a change of the
#: planning code does not throw away a cached expansion (about 90 s at rep12, 40 minutes hourly);
#: ``PLAN_PARTS`` puts them back.
GRID_EXCLUDE = ("grid/coplan*.py",)
#: The parts the base-year signals depend on: the grid and the signal code.
SIGNALS_PARTS = GRID_PARTS + (("scheduling", "*.py"), ("services/signals", "*.py"))
#: The parts a plan depends on beyond the grid (``plan move``'s cached default plan): the planning LP, the
#: planning code and the domain models of the AI workload it plans.
PLAN_PARTS = GRID_PARTS + (("grid", "coplan*.py"),) + tuple((sub, "*.py") for sub in (
    "services/plan", "demand", "scheduling", "workload"))


@functools.lru_cache(maxsize=None)
def model_fingerprint(parts: tuple[tuple[str, str], ...] = GRID_PARTS,
                      exclude: tuple[str, ...] = GRID_EXCLUDE) -> str:
    """Hex hash (16 characters) of the files of ``parts`` (sub-folder of the package, glob pattern),
    names and contents, in a fixed order, without the files whose path under the package matches a
    pattern of ``exclude`` unless a part is that pattern itself. Computed once per process."""
    import computegrid

    root = Path(computegrid.__file__).parent
    h = hashlib.sha1()
    for sub, pattern in parts:
        for f in sorted((root / sub).rglob(pattern)):
            rel = f.relative_to(root).as_posix()
            if f"{sub}/{pattern}" not in exclude and any(fnmatch.fnmatch(rel, e) for e in exclude):
                continue
            if f.is_file() and "__pycache__" not in f.parts:
                h.update(rel.encode())
                h.update(f.read_bytes())
    return h.hexdigest()[:16]

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
#: which the grid build and the signals never import. Left out of the grid's hash (the default ``exclude``)
#: so that a change of the planning code does not throw away a cached expansion (about 90 s at rep12, 40
#: minutes hourly); the plan's hash passes ``exclude=()`` and so covers them.
GRID_EXCLUDE = ("grid/coplan*.py",)
#: The parts the base-year signals depend on: the grid and the signal code.
SIGNALS_PARTS = GRID_PARTS + (("scheduling", "*.py"), ("services/signals", "*.py"))
#: The parts a plan depends on beyond the grid (``plan move``'s cached default plan, hashed with
#: ``exclude=()``, so that ``grid/*.py`` includes the planning LP ``grid/coplan*.py``): the planning code
#: and the domain models of the AI workload it plans.
PLAN_PARTS = GRID_PARTS + tuple((sub, "*.py") for sub in ("services/plan", "demand", "scheduling", "workload"))


def fingerprint_files(parts: tuple[tuple[str, str], ...] = GRID_PARTS,
                      exclude: tuple[str, ...] = GRID_EXCLUDE) -> tuple[str, ...]:
    """Paths under the package of the files of ``parts`` (sub-folder, glob pattern), in a fixed order,
    without those matching a pattern of ``exclude``: what :func:`model_fingerprint` hashes."""
    import computegrid

    root = Path(computegrid.__file__).parent
    out = []
    for sub, pattern in parts:
        for f in sorted((root / sub).rglob(pattern)):
            rel = f.relative_to(root).as_posix()
            if f.is_file() and "__pycache__" not in f.parts and not any(fnmatch.fnmatch(rel, e) for e in exclude):
                out.append(rel)
    return tuple(out)


@functools.lru_cache(maxsize=None)
def model_fingerprint(parts: tuple[tuple[str, str], ...] = GRID_PARTS,
                      exclude: tuple[str, ...] = GRID_EXCLUDE) -> str:
    """Hex hash (16 characters) of the files of :func:`fingerprint_files` (``parts`` without ``exclude``),
    names and contents, in a fixed order. Computed once per process (the grid's parts: about 4.4 MB read,
    the hourly parquet profiles included)."""
    import computegrid

    root = Path(computegrid.__file__).parent
    h = hashlib.sha1()
    for rel in fingerprint_files(parts, exclude):
        h.update(rel.encode())
        h.update((root / rel).read_bytes())
    return h.hexdigest()[:16]

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

#: The parts of the package a solved grid depends on (the base-year signals, the 2030 expansion): the grid
#: model's code and the bundled data with its readers.
GRID_PARTS = (("grid", "*.py"), ("datasets", "*.py"), ("datasets/data", "*.csv"))
#: Files under those parts that no solved grid depends on: the co-planning LP (``grid/coplan*.py``), which the
#: grid build and the signals never import. Left out of the grid's hash so that a change of the planning
#: code does not throw away a cached expansion (about 90 s at rep12, 20 minutes hourly); ``PLAN_PARTS``
#: puts them back.
GRID_EXCLUDE = ("coplan*.py",)
#: The parts a plan depends on beyond the grid (``plan move``'s cached default plan): the planning code and
#: the domain models of the AI workload it plans.
PLAN_PARTS = GRID_PARTS + (("grid", "coplan*.py"),) + tuple((sub, "*.py") for sub in ("services/plan", "services/grid_model", "demand",
                                                         "supply", "facility", "scheduling", "workload"))


@functools.lru_cache(maxsize=None)
def model_fingerprint(parts: tuple[tuple[str, str], ...] = GRID_PARTS,
                      exclude: tuple[str, ...] = GRID_EXCLUDE) -> str:
    """Hex hash (16 characters) of the files of ``parts`` (sub-folder of the package, glob pattern),
    names and contents, in a fixed order, without the files whose name matches a pattern of ``exclude``
    unless a part names them itself. Computed once per process (about 5 MB read)."""
    import computegrid

    root = Path(computegrid.__file__).parent
    h = hashlib.sha1()
    for sub, pattern in parts:
        for f in sorted((root / sub).rglob(pattern)):
            if pattern not in exclude and any(fnmatch.fnmatch(f.name, e) for e in exclude):
                continue
            if f.is_file() and "__pycache__" not in f.parts:
                h.update(f.relative_to(root).as_posix().encode())
                h.update(f.read_bytes())
    return h.hexdigest()[:16]

"""A hash of the package's own model code and bundled data, for the names of cached artefacts.

A cached artefact (the base-year signals, the 2030 expansion network, the default plan of
``plan move``) is only valid for the model that made it. A version number bumped by hand misses
changes of the bundled data and of the code in between releases; this hash does not.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

#: The parts of the package a solved grid depends on (the base-year signals, the 2030 expansion): the grid
#: model's code and the bundled data with its readers.
GRID_PARTS = (("grid", "*.py"), ("datasets", "*.py"), ("datasets/data", "*.csv"))
#: The parts a plan depends on beyond the grid (``plan move``'s cached default plan): the planning code and
#: the domain models of the AI workload it plans.
PLAN_PARTS = GRID_PARTS + tuple((sub, "*.py") for sub in ("services/plan", "services/grid_model", "demand",
                                                         "supply", "facility", "scheduling", "workload"))


@functools.lru_cache(maxsize=None)
def model_fingerprint(parts: tuple[tuple[str, str], ...] = GRID_PARTS) -> str:
    """Hex hash (16 characters) of the files of ``parts`` (sub-folder of the package, glob pattern),
    names and contents, in a fixed order. Computed once per process (about 5 MB read)."""
    import computegrid

    root = Path(computegrid.__file__).parent
    h = hashlib.sha1()
    for sub, pattern in parts:
        for f in sorted((root / sub).rglob(pattern)):
            if f.is_file() and "__pycache__" not in f.parts:
                h.update(f.relative_to(root).as_posix().encode())
                h.update(f.read_bytes())
    return h.hexdigest()[:16]

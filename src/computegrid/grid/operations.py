"""Operating rules of the real system that a least-cost dispatch would otherwise ignore.

Inter-regional UHV DC lines in China run on schedules fixed in medium- and long-term contracts (often
bundled with thermal plants at the sending end), not on the hourly price difference; the sending
provinces cannot raise exports at noon when their solar peaks. The rule here holds each listed
corridor's flow constant within each day (one schedule per day, direction free), an idealisation of
those contracted profiles. Pass :func:`daily_flat_schedules` to
:func:`computegrid.grid.solve.solve_network` as ``extra_functionality``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import xarray as xr

from computegrid.grid.parameters import NORTHWEST_DC_CORRIDORS


def day_start_mask(snapshots: pd.DatetimeIndex) -> np.ndarray:
    """True where a snapshot is the first of its calendar day (or of a representative day)."""
    days = pd.DatetimeIndex(snapshots).normalize()
    first = np.ones(len(days), dtype=bool)
    first[1:] = days[1:] != days[:-1]
    return first


def daily_flat_schedules(corridors=NORTHWEST_DC_CORRIDORS):
    """An ``extra_functionality`` that holds the flow of each listed link constant within each day.

    Parameters
    ----------
    corridors : iterable of str
        Link names; names absent from the network are skipped.

    Returns
    -------
    callable
        ``f(n, snapshots)`` adding ``p(t) = p(t - 1)`` for every snapshot that is not the first of its day.
    """
    names = tuple(corridors)

    def add(n, snapshots) -> None:
        links = [c for c in names if c in n.links.index]
        if not links or len(snapshots) < 2:
            return
        var = n.model["Link-p"]
        dim = next(d for d in var.dims if d != "snapshot")  # "name" in PyPSA 1.x, "Link" before
        p = var.sel({dim: links})
        keep = ~day_start_mask(snapshots)
        mask = xr.DataArray(np.repeat(keep[:, None], len(links), axis=1), dims=("snapshot", dim),
                            coords={"snapshot": p.coords["snapshot"], dim: links})
        with warnings.catch_warnings():
            # the shifted variable is absent at the first snapshot, which the mask leaves out anyway
            warnings.simplefilter("ignore")
            lhs = p - p.shift(snapshot=1)
        n.model.add_constraints(lhs == 0, name="Link-daily-schedule", mask=mask)

    return add

"""Operating rules of the real system that a least-cost dispatch would otherwise ignore.

Inter-regional UHV DC lines in China run on schedules fixed in medium- and long-term contracts (often
bundled with thermal plants at the sending end), not on the hourly price difference; the sending
provinces cannot raise exports at noon when their solar peaks. The rule here holds each listed
corridor's flow constant within each day (one schedule per day, direction free), an idealisation of
those contracted profiles. :func:`proportional_curtailment` shares curtailment between the wind and
solar of a province, as dispatchers do, instead of curtailing whichever carrier breaks the cost tie.
Pass them (joined by :func:`computegrid.grid.solve.chain_functionality`) to :func:`computegrid.grid.solve.solve_network` as
``extra_functionality``.
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


#: Availability share below which a province's hour gets no proportional-curtailment constraint (the
#: constraint would pin the other carrier to a near-zero coefficient; numerics). [-]
_MIN_SHARE = 0.01


def proportional_curtailment(n, snapshots) -> None:
    """An ``extra_functionality``: wind and solar of a province are curtailed in the same proportion.

    Chinese dispatch allocates the generation room of an area among its wind and solar stations in
    proportion to what they can produce (the "three fairness" dispatch rule, 三公调度; assumption that it
    holds per province and hour). Without the rule the least-cost dispatch curtails whichever carrier has
    the higher tie-breaking cost (wind at 0.5 CNY/MWh before solar at 0.4), which makes wind curtailment
    too high and solar too low. For every bus with wind (onshore + offshore) and solar, in every snapshot
    where each carrier has at least 1 % of the bus's available wind + solar power::

        p_wind(t) * s(t) - p_solar(t) * w(t) = 0,   w = A_wind / (A_wind + A_solar), s = 1 - w

    with A the available power (``p_max_pu x p_nom``), i.e. p_wind / A_wind = p_solar / A_solar.

    Parameters
    ----------
    n : pypsa.Network
        Network whose linopy model is being built (generators named by bus, carriers ``onwind``,
        ``offwind``, ``solar``).
    snapshots : pandas.Index
        Snapshots of the optimisation.
    """
    gens = n.generators
    var = n.model["Generator-p"]
    dim = next(d for d in var.dims if d != "snapshot")
    avail = n.get_switchable_as_dense("Generator", "p_max_pu", snapshots) * gens["p_nom"]
    for bus in gens["bus"].unique():
        here = gens[gens["bus"] == bus]
        wind = [g for g in here.index if here.at[g, "carrier"] in ("onwind", "offwind")]
        solar = [g for g in here.index if here.at[g, "carrier"] == "solar"]
        if not wind or not solar:
            continue
        a_w = avail[wind].sum(axis=1)
        a_s = avail[solar].sum(axis=1)
        total = (a_w + a_s).where(a_w + a_s > 0)
        w = (a_w / total).fillna(0.0)
        keep = (w >= _MIN_SHARE) & (w <= 1 - _MIN_SHARE)
        if not keep.any():
            continue
        snaps = w.index[keep]
        w_da = xr.DataArray(w[keep].to_numpy(), dims="snapshot", coords={"snapshot": snaps})
        p_w = var.sel({dim: wind, "snapshot": snaps}).sum(dim)
        p_s = var.sel({dim: solar, "snapshot": snaps}).sum(dim)
        n.model.add_constraints(p_w * (1 - w_da) - p_s * w_da == 0,
                                name=f"Generator-proportional-curtailment-{bus}")


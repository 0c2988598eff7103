"""Rule-based placement of AI load for the baselines (``status-quo``, ``west-static``).

The baselines fix where each class's demand from each origin is served; the co-optimisation then
solves the same power system with those shares held fixed and no time shifting. Both rules respect
the latency limits and the site caps, so each baseline is a feasible point of the co-optimisation
(and its cost an upper bound of the optimum).

* ``status-quo``: demand is served at the nearest metro site within the class's latency limit,
  then (when metros are full) the nearest eastern cluster, then the nearest western cluster.
* ``west-static``: online work as in ``status-quo``; the latency-tolerant classes go to the
  western clusters within their limit, in proportion to the clusters' caps, and what does not fit
  falls back to the ``status-quo`` order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from computegrid.demand.ai_load import LoadClass, allowed_pairs

ALL_ORIGINS = "*"


def _status_quo_order(sites: pd.DataFrame, rtt_row: pd.Series) -> list[list[str]]:
    rank = np.where(sites.kind == "metro", 0, np.where(sites.side == "east", 1, 2))
    frame = pd.DataFrame({"rank": rank, "rtt": rtt_row.reindex(sites.index).to_numpy()}, index=sites.index)
    return [[s] for s in frame.sort_values(["rank", "rtt"]).index]


def place(policy: str, classes: tuple[LoadClass, ...], demand_mw: pd.DataFrame, rtt_ms: pd.DataFrame,
          sites: pd.DataFrame, peak_frac: dict[str, float]) -> dict[str, pd.DataFrame]:
    """Fixed assignment shares of a baseline policy.

    Parameters
    ----------
    policy : {"status-quo", "west-static"}
        The rule.
    classes : tuple of LoadClass
        Classes (online first is the filling order used).
    demand_mw : pandas.DataFrame
        Mean IT power, class x origin. [MW]
    rtt_ms : pandas.DataFrame
        Round-trip times, origin x site. [ms]
    sites : pandas.DataFrame
        Index site; columns ``kind`` (``metro``/``edwc-cluster``), ``side`` (``east``/``west``),
        ``capacity_max_mw`` (IT). [MW]
    peak_frac : dict
        Peak over mean of each class's profile (capacity taken per MW of mean demand). [-]

    Returns
    -------
    dict of str to pandas.DataFrame
        Per class, shares origin x site (rows sum to at most 1; the rest is unserved). Classes
        without a latency limit have one row ``"*"`` (the origins collapsed).
    """
    if policy not in ("status-quo", "west-static"):
        raise ValueError(policy)
    remaining = sites.capacity_max_mw.astype(float).copy()
    west = sites.index[(sites.side == "west").to_numpy()]
    out: dict[str, pd.DataFrame] = {}
    for c in classes:
        demand = demand_mw.loc[c.name]
        ok = allowed_pairs(rtt_ms.loc[:, sites.index], c.rtt_max_ms)
        shares = pd.DataFrame(0.0, index=demand.index, columns=sites.index)
        peak = float(peak_frac.get(c.name, 1.0))
        for origin in demand.sort_values(ascending=False).index:
            need = float(demand[origin]) * peak
            if need <= 0:
                continue
            allowed = sites.index[ok.loc[origin].to_numpy()]
            groups = _status_quo_order(sites.loc[allowed], rtt_ms.loc[origin])
            if policy == "west-static" and c.shiftable:
                w = [s for s in west if s in allowed]
                if w:
                    groups = [w] + groups
            for group in groups:
                if need <= 1e-9:
                    break
                cap = remaining.reindex(group).clip(lower=0.0)
                if cap.sum() <= 1e-9:
                    continue
                if len(group) > 1:  # proportional to the clusters' caps
                    weights = sites.capacity_max_mw.reindex(group).astype(float)
                    take = np.minimum(cap, need * weights / weights.sum())
                    if take.sum() < min(need, cap.sum()) - 1e-9:  # fill what proportional left
                        take = take + np.minimum(cap - take, (min(need, cap.sum()) - take.sum()) * (cap - take) / max((cap - take).sum(), 1e-12))
                else:
                    take = np.minimum(cap, need)
                remaining[group] -= take
                shares.loc[origin, group] += (take / (float(demand[origin]) * peak)).to_numpy()
                need -= float(take.sum())
        if c.rtt_max_ms is None:
            total = float(demand.sum())
            collapsed = (shares.mul(demand, axis=0).sum() / total) if total > 0 else shares.sum() * 0.0
            out[c.name] = collapsed.to_frame(ALL_ORIGINS).T
        else:
            out[c.name] = shares
    return out


def valley_fill_mw(base_mw, energy_mwh: float, weights_h) -> np.ndarray:
    """Fill the troughs of ``base_mw`` with ``energy_mwh`` of flexible work (water-filling).

    Today's operation of a site that runs online inference and batch work side by side: batch work
    runs when the online load is low (online/offline co-location, batch APIs with 24-hour windows),
    blind to the grid. The batch load is ``max(level - base, 0)`` with the water level chosen so that
    it delivers ``energy_mwh``: sum over t of batch[t] x w[t] = energy. Applied per day and site.

    Parameters
    ----------
    base_mw : array_like
        Load already at the site in each snapshot (online inference). [MW]
    energy_mwh : float
        Energy of the flexible work to place in these snapshots. [MWh]
    weights_h : array_like
        Hours each snapshot stands for. [h]

    Returns
    -------
    numpy.ndarray
        Flexible load per snapshot, >= 0. [MW]
    """
    base = np.asarray(base_mw, dtype=float)
    w = np.asarray(weights_h, dtype=float)
    if energy_mwh <= 0 or not len(base):
        return np.zeros_like(base)
    order = np.argsort(base)
    b, ww = base[order], w[order]
    cum_w = np.cumsum(ww)
    # energy needed to raise the level to each sorted base value
    need = cum_w * b - np.cumsum(b * ww)
    k = int(np.searchsorted(need, energy_mwh, side="right"))  # snapshots below the level
    k = max(k, 1)
    level = (energy_mwh + float(np.sum(b[:k] * ww[:k]))) / float(cum_w[k - 1])
    return np.clip(level - base, 0.0, None)


def valley_fill_by_day(base_mw: pd.DataFrame, energy_mwh: pd.DataFrame, weights_h: pd.Series,
                       day: np.ndarray) -> pd.DataFrame:
    """:func:`valley_fill_mw` for every site (column) and day.

    Parameters
    ----------
    base_mw : pandas.DataFrame
        Online load, snapshot x site. [MW]
    energy_mwh : pandas.DataFrame
        Flexible energy per day (index: the labels of ``day``) x site. [MWh]
    weights_h : pandas.Series
        Hours per snapshot. [h]
    day : numpy.ndarray
        Day label of each snapshot.

    Returns
    -------
    pandas.DataFrame
        Flexible load, snapshot x site. [MW]
    """
    out = pd.DataFrame(0.0, index=base_mw.index, columns=base_mw.columns)
    w = weights_h.to_numpy(dtype=float)
    for label in pd.unique(day):
        rows = np.flatnonzero(day == label)
        for site in base_mw.columns:
            e = float(energy_mwh.loc[label, site]) if label in energy_mwh.index else 0.0
            out.iloc[rows, out.columns.get_loc(site)] = valley_fill_mw(base_mw[site].to_numpy()[rows], e, w[rows])
    return out

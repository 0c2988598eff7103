"""Fewer columns for the plan's dispatch on a solved grid: units of one province that the dispatch cannot tell
apart become one.

The solved expansion (:func:`computegrid.services.grid_model.grid_expansion.expanded_network`) keeps every
province's new wind and solar beside its existing units (``"NM onwind"`` and ``"NM onwind new"``: same bus,
same hourly availability, same costs) and three batteries per province (the existing fleet and the new 2-hour
and 4-hour ones, most of the new ones a few MW left by the interior-point solve without crossover). With the
capacities fixed, each is a column per snapshot, and a battery three (charge, discharge, state of charge):
at hourly resolution these make up most of the dispatch LP's columns (docs/planning.md, "Where the hourly
plan's time goes").

* :func:`merge_identical_generators` merges generators whose every attribute except their size is equal
  (static and hourly): exact, the dispatch of the merged unit splits back in proportion to capacity.
* :func:`merge_storage_units` merges the storage units of one bus and carrier with equal efficiencies,
  standing loss, costs and per-unit limits, and no hourly input of their own (inflow): power and energy
  capacity are each conserved, the duration becomes the capacity-weighted mean (PyPSA's own clustering rule
  for ``max_hours``: ``DEFAULT_ONE_PORT_STRATEGIES`` in ``pypsa/clustering/spatial.py``). This one is a
  relaxation where the durations differ (the merged unit can split its energy freely between the two
  durations), so the cost can only fall; its effect on the plan is measured in docs/planning.md.
* :func:`drop_empty_units` removes generators and storage units of zero capacity (exact).

Only fixed capacities are merged (``p_nom_extendable`` false): the plan's ``--expand`` cases keep every unit.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

#: Static attributes that scale with a unit's size or describe its investment; every other static attribute
#: must be equal for two units to merge. ``p_nom`` is summed; the investment figures do not enter the
#: objective of a dispatch with fixed capacities and become capacity-weighted means (PyPSA's clustering rule).
SIZE_ATTRIBUTES = ("p_nom", "p_nom_min", "p_nom_max", "p_nom_set", "p_nom_opt", "p_nom_mod", "capital_cost",
                   "overnight_cost", "fom_cost", "discount_rate", "build_year", "lifetime",
                   "capital_cost_piecewise_opt")
#: Attributes of a storage unit merged by :func:`merge_storage_units` rather than compared: the duration
#: (capacity-weighted mean, energy conserved) and the initial state of charge (summed, MWh).
STORAGE_MERGED_ATTRIBUTES = ("max_hours", "state_of_charge_initial")
#: Name suffix of the expansion's new units (``grid/capacity_expansion.py``); a merged unit keeps the name
#: of its existing member.
NEW_SUFFIX = " new"


def _input_series(n, component: str) -> dict[str, pd.DataFrame]:
    """The hourly input attributes of ``component`` that some unit sets (outputs left out)."""
    defaults = n.components[component]["defaults"]
    dynamic = n.components[component].dynamic
    out = {}
    for key, df in dynamic.items():
        if key in defaults.index and str(defaults.at[key, "status"]).startswith("Output"):
            continue
        if df.shape[1]:
            out[key] = df
    return out


def _series_key(series: dict[str, pd.DataFrame], name: str) -> str:
    """A digest of the hourly inputs one unit sets (equal digests: equal series)."""
    h = hashlib.sha1()
    for key in sorted(series):
        df = series[key]
        if name in df.columns:
            h.update(key.encode())
            h.update(np.ascontiguousarray(df[name].to_numpy(dtype=float)).tobytes())
    return h.hexdigest()


def _static_key(df: pd.DataFrame, skip: tuple[str, ...]) -> pd.Series:
    """One text per unit of every static attribute not in ``skip`` (equal texts: equal attributes)."""
    cols = [c for c in df.columns if c not in skip]
    return df[cols].apply(lambda row: repr(tuple(row)), axis=1)


def _keeper(names: list[str]) -> str:
    """The merged unit's name: its existing member's (no ``" new"`` suffix), else the first by name."""
    existing = sorted(x for x in names if not x.endswith(NEW_SUFFIX))
    return existing[0] if existing else sorted(names)[0]


def _weighted(df: pd.DataFrame, names: list[str], column: str, weights: pd.Series) -> float:
    values = df.loc[names, column].astype(float)
    if not np.isfinite(values).all() or weights.sum() <= 0:
        return float(values.iloc[0])
    return float((values * weights).sum() / weights.sum())


def _groups(df: pd.DataFrame, static_key: pd.Series, series_key: pd.Series) -> list[list[str]]:
    key = static_key + "#" + series_key
    return [list(idx) for _, idx in df.groupby(key, sort=False).groups.items() if len(idx) > 1]


def merge_identical_generators(n) -> int:
    """Merge the fixed-capacity generators of ``n`` (in place) that differ in nothing but their size.

    Exact: every per-unit attribute (bus, carrier, costs, efficiency, limits per unit of capacity, hourly
    availability) is equal, so any dispatch of the merged unit is the members' dispatch summed. Units with
    unit commitment or an energy sum limit are left alone. Returns the number of units removed.
    """
    g = n.generators
    candidates = g[~g.p_nom_extendable.astype(bool) & ~g.committable.astype(bool)
                   & ~np.isfinite(g.e_sum_max.astype(float)) & ~np.isfinite(g.e_sum_min.astype(float))]
    if len(candidates) < 2:
        return 0
    series = _input_series(n, "Generator")
    skey = pd.Series({name: _series_key(series, name) for name in candidates.index})
    removed = 0
    for names in _groups(candidates, _static_key(candidates, SIZE_ATTRIBUTES), skey):
        keep = _keeper(names)
        p_nom = g.loc[names, "p_nom"].astype(float)
        for column in ("capital_cost", "overnight_cost", "fom_cost"):
            if column in g.columns:
                n.generators.at[keep, column] = _weighted(g, names, column, p_nom)
        total = float(p_nom.sum())
        n.generators.loc[keep, ["p_nom", "p_nom_min", "p_nom_opt"]] = total
        n.generators.at[keep, "p_nom_max"] = max(total, float(g.at[keep, "p_nom_max"]))
        drop = [x for x in names if x != keep]
        n.remove("Generator", drop)
        removed += len(drop)
    return removed


def merge_storage_units(n) -> int:
    """Merge the fixed-capacity storage units of ``n`` (in place) of one bus and carrier that have equal
    efficiencies, standing loss, costs and per-unit limits and no hourly input of their own.

    Power capacity and energy capacity (power x ``max_hours``) are each summed; the merged duration is the
    capacity-weighted mean (PyPSA's clustering rule). A relaxation where durations differ (the cost can only
    fall), exact where they are equal. Returns the number of units removed.
    """
    s = n.storage_units
    series = _input_series(n, "StorageUnit")
    with_series = set().union(*(df.columns for df in series.values())) if series else set()
    candidates = s[~s.p_nom_extendable.astype(bool) & ~s.index.isin(list(with_series))]
    if len(candidates) < 2:
        return 0
    skip = SIZE_ATTRIBUTES + STORAGE_MERGED_ATTRIBUTES
    removed = 0
    empty = pd.Series("", index=candidates.index)
    for names in _groups(candidates, _static_key(candidates, skip), empty):
        keep = _keeper(names)
        p_nom = s.loc[names, "p_nom"].astype(float)
        energy_mwh = float((p_nom * s.loc[names, "max_hours"].astype(float)).sum())
        soc0_mwh = float(s.loc[names, "state_of_charge_initial"].astype(float).sum())
        for column in ("capital_cost", "overnight_cost", "fom_cost"):
            if column in s.columns:
                n.storage_units.at[keep, column] = _weighted(s, names, column, p_nom)
        total = float(p_nom.sum())
        n.storage_units.loc[keep, ["p_nom", "p_nom_min", "p_nom_opt"]] = total
        n.storage_units.at[keep, "p_nom_max"] = max(total, float(s.at[keep, "p_nom_max"]))
        n.storage_units.at[keep, "max_hours"] = energy_mwh / total if total > 0 else float(s.at[keep, "max_hours"])
        n.storage_units.at[keep, "state_of_charge_initial"] = soc0_mwh
        drop = [x for x in names if x != keep]
        n.remove("StorageUnit", drop)
        removed += len(drop)
    return removed


def drop_empty_units(n) -> int:
    """Remove the generators and storage units of ``n`` (in place) with zero fixed capacity. Returns how many."""
    removed = 0
    for component, df in (("Generator", n.generators), ("StorageUnit", n.storage_units)):
        empty = df.index[~df.p_nom_extendable.astype(bool) & (df.p_nom.astype(float) <= 0.0)]
        if len(empty):
            n.remove(component, empty)
            removed += len(empty)
    return removed


def merge_equivalent_units(n) -> dict[str, int]:
    """:func:`drop_empty_units`, :func:`merge_identical_generators` and :func:`merge_storage_units` on ``n``
    (in place). Returns the units removed by each, keyed ``empty``, ``generators``, ``storage_units``."""
    return {"empty": drop_empty_units(n), "generators": merge_identical_generators(n),
            "storage_units": merge_storage_units(n)}

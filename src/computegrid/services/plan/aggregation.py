"""Fewer columns for the plan's dispatch on a solved grid: units of one province that the dispatch cannot tell
apart become one.

The solved expansion (:func:`computegrid.services.grid_model.grid_expansion.expanded_network`) keeps every
province's new wind and solar beside its existing units (``"NM onwind"`` and ``"NM onwind new"``: same bus,
same hourly availability, same costs) and up to three batteries per province (the existing fleet and the new 2-hour
and 4-hour ones, most of the new ones a few MW left by the interior-point solve without crossover). With the
capacities fixed, each is a column per snapshot, and a battery three (charge, discharge, state of charge):
at hourly resolution these make up most of the dispatch LP's columns (docs/planning.md, "Where the hourly
plan's time goes").

* :func:`merge_identical_generators` merges generators whose every attribute except their size is equal
  (static and hourly): exact, the dispatch of the merged unit splits back in proportion to capacity.
* :func:`merge_storage_units` merges the storage units of one bus and carrier with equal efficiencies,
  standing loss, costs and per-unit limits: power and energy capacity are each conserved, the duration
  becomes the capacity-weighted mean (PyPSA's own clustering rule for ``max_hours``:
  ``DEFAULT_ONE_PORT_STRATEGIES`` in ``pypsa/clustering/spatial.py``). Where durations differ this is a
  relaxation (the merged unit can split its energy freely between the two durations; the cost can only fall),
  so it is bounded: units merge only if their durations are within :data:`STORAGE_DURATION_TOL_FRAC` of the
  group's largest unit or their power is at most :data:`STORAGE_SMALL_FRAC` of the group's.
* :func:`drop_empty_units` removes generators and storage units of zero capacity (exact).

A unit is only a candidate if nothing about it is given in absolute MW or MWh other than its capacity (no
``p_set``, ``p_init``, energy sums, dispatch or state-of-charge set points, inflow: these would have to be
summed, not compared), it has no quadratic cost, unit commitment or maintenance, and its capacity is fixed
(``p_nom_extendable`` false): the plan's ``--expand`` cases keep every unit.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd

#: Static attributes not compared when looking for equal units: the capacity (summed), investment figures
#: (capacity-weighted means: they do not enter the objective of a dispatch with fixed capacities, PyPSA's
#: clustering rule), and attributes without effect on the LP (power-flow ``control``, ``type``, the clustering
#: ``weight``). Every other static attribute must be equal for two units to merge.
NOT_COMPARED_ATTRIBUTES = ("p_nom", "p_nom_min", "p_nom_max", "p_nom_set", "p_nom_opt", "p_nom_mod", "capital_cost",
                           "overnight_cost", "fom_cost", "discount_rate", "build_year", "lifetime",
                           "capital_cost_piecewise_opt", "control", "type", "weight")
#: Capacity attributes in MW, left out of the check that a candidate has no other absolute MW/MWh attribute.
CAPACITY_ATTRIBUTES = ("p_nom", "p_nom_min", "p_nom_max", "p_nom_set", "p_nom_mod")
#: Attributes of a storage unit merged by :func:`merge_storage_units` rather than compared: the duration
#: (capacity-weighted mean, energy conserved) and the initial state of charge (summed, MWh).
STORAGE_MERGED_ATTRIBUTES = ("max_hours", "state_of_charge_initial")
#: Storage units of different duration merge if their duration is within this fraction of the group's largest
#: unit's (assumption: 25 % keeps the relaxation small; the expansion's new 2-hour units and the existing
#: 2.28-hour fleet, NEA end-2024 73.76 GW / 168 GWh in ``grid/parameters.py``, merge; 4-hour units of some size
#: stay apart).
STORAGE_DURATION_TOL_FRAC = 0.25
#: ... or if their power is at most this fraction of the group's (assumption: each such unit is at most 1 % of its
#: group's storage power, with up to three batteries per province at most 2 % together; these are the few-MW
#: units left by the interior-point solve).
STORAGE_SMALL_FRAC = 0.01


def _input_series(n, component: str) -> dict[str, pd.DataFrame]:
    """The hourly input attributes of ``component`` that some unit sets (outputs left out)."""
    defaults = n.components[component]["defaults"]
    out = {}
    for key, df in n.components[component].dynamic.items():
        if key in defaults.index and str(defaults.at[key, "status"]).startswith("Output"):
            continue
        if df.shape[1]:
            out[key] = df
    return out


def _at_default(values: pd.Series, default) -> pd.Series:
    """True where ``values`` equal ``default`` (NaN equal to NaN)."""
    if pd.isna(default):
        return values.isna()
    return values.astype(type(default)) == default


def _candidates(n, component: str, merged: tuple[str, ...] = ()) -> pd.Index:
    """Units of ``component`` that may merge: fixed capacity, no absolute MW/MWh attribute besides the capacity
    and ``merged`` (static at its default, no series), no quadratic cost, unit commitment or maintenance."""
    df = n.components[component].static
    defaults = n.components[component]["defaults"]
    ok = ~df.p_nom_extendable.astype(bool)
    absolute = defaults.index[defaults.unit.isin(["MW", "MWh"]) & defaults.status.str.startswith("Input")]
    series = _input_series(n, component)
    for attr in absolute.difference(list(CAPACITY_ATTRIBUTES) + list(merged)):
        if attr in df.columns:
            ok &= _at_default(df[attr], defaults.at[attr, "default"])
        if attr in series:
            ok &= ~df.index.isin(series[attr].columns)
    if "marginal_cost_quadratic" in df.columns:
        ok &= df.marginal_cost_quadratic.astype(float) == 0.0
        if "marginal_cost_quadratic" in series:
            ok &= ~df.index.isin(series["marginal_cost_quadratic"].columns)
    for flag in ("committable", "maintainable"):
        if flag in df.columns:
            ok &= ~df[flag].astype(bool)
    return df.index[ok]


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
    """The merged unit's name: its existing member's (without the expansion's ``" new"`` suffix,
    :data:`computegrid.grid.capacity_expansion.NEW`), else the first by name."""
    from computegrid.grid.capacity_expansion import NEW

    existing = sorted(x for x in names if not x.endswith(f" {NEW}"))
    return existing[0] if existing else sorted(names)[0]


def _groups(df: pd.DataFrame, key: pd.Series) -> list[list[str]]:
    """The units of ``df`` with equal ``key``, in groups of two or more."""
    return [list(idx) for _, idx in df.groupby(key, sort=False).groups.items() if len(idx) > 1]


def _merge_into(n, component: str, keep: str, names: list[str], **attrs: float) -> int:
    """Give ``keep`` the summed capacity of ``names``, capacity-weighted investment figures and ``attrs``;
    remove the others. Returns how many were removed."""
    df = n.components[component].static
    p_nom_mw = df.loc[names, "p_nom"].astype(float)
    total_mw = float(p_nom_mw.sum())
    for column in ("capital_cost", "overnight_cost", "fom_cost"):
        values = df.loc[names, column].astype(float) if column in df.columns else None
        if values is not None and np.isfinite(values).all() and total_mw > 0:
            df.at[keep, column] = float((values * p_nom_mw).sum() / total_mw)
    df.loc[keep, ["p_nom", "p_nom_min", "p_nom_opt"]] = total_mw
    df.at[keep, "p_nom_max"] = max(total_mw, float(df.at[keep, "p_nom_max"]))
    for column, value in attrs.items():
        df.at[keep, column] = value
    drop = [x for x in names if x != keep]
    n.remove(component, drop)
    return len(drop)


def merge_identical_generators(n) -> int:
    """Merge the candidate generators of ``n`` (in place) that differ in nothing but their size.

    Exact: every per-unit attribute (bus, carrier, costs, efficiency, limits per unit of capacity, hourly
    availability) is equal, so any dispatch of the merged unit is the members' dispatch summed. Returns the
    number of units removed.
    """
    names = _candidates(n, "Generator")
    if len(names) < 2:
        return 0
    series = _input_series(n, "Generator")
    g = n.generators.loc[names]
    key = _static_key(g, NOT_COMPARED_ATTRIBUTES) + "#" + pd.Series({x: _series_key(series, x) for x in names})
    return sum(_merge_into(n, "Generator", _keeper(group), group) for group in _groups(g, key))


def _storage_subgroups(s: pd.DataFrame, names: list[str]) -> list[list[str]]:
    """Split one group of otherwise equal storage units into the sets that merge: the largest unit with those
    within :data:`STORAGE_DURATION_TOL_FRAC` of its duration or at most :data:`STORAGE_SMALL_FRAC` of the
    group's power, then the rest by equal duration."""
    p_mw = s.loc[names, "p_nom"].astype(float).sort_values(ascending=False, kind="stable")
    hours = s.loc[names, "max_hours"].astype(float)
    anchor = p_mw.index[0]
    close = (hours / hours[anchor] - 1.0).abs() <= STORAGE_DURATION_TOL_FRAC
    small = p_mw <= STORAGE_SMALL_FRAC * p_mw.sum()
    first = [x for x in p_mw.index if x == anchor or close[x] or small[x]]
    rest = [x for x in p_mw.index if x not in first]
    return [first] + [list(idx) for _, idx in hours[rest].groupby(hours[rest]).groups.items()]


def merge_storage_units(n) -> int:
    """Merge the candidate storage units of ``n`` (in place) of one bus and carrier with equal efficiencies,
    standing loss, costs, per-unit limits and cyclic state of charge.

    Power capacity and energy capacity (power x ``max_hours``) are each summed and so is the initial state
    of charge [MWh]; the merged duration is the capacity-weighted mean (PyPSA's clustering rule). Exact where
    durations are equal; a bounded relaxation where they differ (:func:`_storage_subgroups`). Returns the
    number of units removed.
    """
    names = _candidates(n, "StorageUnit", merged=STORAGE_MERGED_ATTRIBUTES)
    if len(names) < 2:
        return 0
    series = _input_series(n, "StorageUnit")
    s = n.storage_units.loc[names]
    key = _static_key(s, NOT_COMPARED_ATTRIBUTES + STORAGE_MERGED_ATTRIBUTES) + "#" + pd.Series(
        {x: _series_key(series, x) for x in names})
    removed = 0
    for group in _groups(s, key):
        for members in _storage_subgroups(s, group):
            if len(members) < 2:
                continue
            p_mw = s.loc[members, "p_nom"].astype(float)
            energy_mwh = float((p_mw * s.loc[members, "max_hours"].astype(float)).sum())
            keep = _keeper(members)
            hours = energy_mwh / float(p_mw.sum()) if p_mw.sum() > 0 else float(s.at[keep, "max_hours"])
            removed += _merge_into(n, "StorageUnit", keep, members, max_hours=hours,
                                   state_of_charge_initial=float(s.loc[members, "state_of_charge_initial"].sum()))
    return removed


def drop_empty_units(n) -> int:
    """Remove the generators and storage units of ``n`` (in place) with zero fixed capacity. Returns how many."""
    removed = 0
    for component in ("Generator", "StorageUnit"):
        df = n.components[component].static
        empty = df.index[~df.p_nom_extendable.astype(bool) & (df.p_nom.astype(float) <= 0.0)]
        if len(empty):
            n.remove(component, empty)
            removed += len(empty)
    return removed


def merge_equivalent_units(n) -> dict[str, int]:
    """:func:`drop_empty_units`, :func:`merge_identical_generators` and :func:`merge_storage_units` on ``n``
    (in place). Returns the units removed by each, keyed ``empty``, ``generators``, ``storage_units``; the same
    counts are kept in ``n.meta["merged_units"]`` (written with the run's network)."""
    counts = {"empty": drop_empty_units(n), "generators": merge_identical_generators(n),
              "storage_units": merge_storage_units(n)}
    n.meta = {**(n.meta or {}), "merged_units": counts}
    return counts

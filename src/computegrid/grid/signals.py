"""Hourly grid signals per province from a base-year dispatch of the grid model.

The scheduler's default signals when the user gives neither a co-planning run nor a
signals file: a least-cost dispatch of the validated base-year network
(:func:`computegrid.grid.base_year.solve_base_year`, the same path as ``grid validate``: that year's
fleet, corridors, demand, parameters and operating rules) at a coarse resolution, read per bus
(province):

- ``curtailed_mw``: available wind and solar (``p_nom x p_max_pu``) minus dispatched, at the bus;
- ``price_cny_per_mwh``: the bus's locational marginal price (dual of its energy balance);
- ``co2_avg_kg_per_mwh``: average (consumption-based) factor: the bus's own generation plus its
  imports at their source's intensity, traced by proportional sharing (Bialek 1996;
  :mod:`computegrid.grid.flow_tracing`);
- ``co2_marginal_kg_per_mwh``: marginal factor: change in system emissions per MWh of extra
  load at the bus, from the optimal basis of the dispatch (LP sensitivity;
  :mod:`computegrid.grid.marginal_emissions`).

An N-hourly solve is expanded to hourly values by repeating each snapshot (mean power over
the interval). The 8,760 model hours (Beijing time) are labelled on the non-leap year
:data:`LABEL_YEAR` and converted to UTC.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from computegrid.grid import results as R
#: Non-leap year on which the 8,760-h model year is labelled.
LABEL_YEAR = 2019


def province_signals(year: int = 2024, resolution: str = "3h", threads: int | None = 2) -> pd.DataFrame:
    """Solve the base-year dispatch and return hourly signals per province.

    Parameters
    ----------
    year : {2020, 2024}
        Base year (:func:`computegrid.grid.base_year.solve_base_year`).
    resolution : str
        Time resolution of the solve (``"3h"``, ``"1h"``, ...).
    threads : int or None
        HiGHS threads.

    Returns
    -------
    pandas.DataFrame
        Tidy: ``timestamp`` (UTC, hourly), ``province`` (code), ``curtailed_mw`` [MW],
        ``price_cny_per_mwh`` [CNY/MWh], ``co2_avg_kg_per_mwh``, ``co2_marginal_kg_per_mwh``
        [kg/MWh].
    """
    from computegrid.datasets.grid import TIME_ZONE
    from computegrid.grid.base_year import solve_base_year

    n, _ = solve_base_year(year, resolution, threads=threads)
    return signals_from_network(n, TIME_ZONE)


def signals_from_network(n, time_zone: str = "Asia/Shanghai") -> pd.DataFrame:
    """Per-bus signals of a solved network, expanded to hourly rows (see module docstring)."""
    from computegrid.grid.flow_tracing import average_emission_factors
    from computegrid.grid.marginal_emissions import marginal_emission_factors

    buses = list(n.buses.index)
    curt_bus = R.curtailed_by_bus_mw(n)[buses]
    price = R.marginal_prices_cny_per_mwh(n)[buses]
    avg = average_emission_factors(n).reindex(columns=buses)
    # round-off of the back-substitution can leave -1e-12 where the factor is 0; a genuinely
    # negative factor (extra load lowering emissions) is clipped too: none in the 2020 base year at
    # 3h, 135 of 90,520 bus-snapshots in 2024 (benchmarks/marginal_emissions.py counts them)
    marg = marginal_emission_factors(n).reindex(columns=buses).clip(lower=0.0)
    # expand snapshots to hours
    hours = n.snapshot_weightings.generators.to_numpy().round().astype(int)
    rep = np.repeat(np.arange(len(hours)), hours)
    # the model year has 8,760 h (29 February removed): label it as a non-leap year so the
    # hourly index is regular (only the hour of the year matters to the scheduler)
    ts = pd.date_range(f"{LABEL_YEAR}-01-01", periods=len(rep), freq="h",
                       tz=time_zone).tz_convert("UTC")
    frames = []
    for b in buses:
        frames.append(pd.DataFrame({
            "timestamp": ts,
            "province": b,
            "curtailed_mw": curt_bus[b].to_numpy()[rep],
            "price_cny_per_mwh": price[b].to_numpy()[rep],
            "co2_avg_kg_per_mwh": avg[b].to_numpy()[rep] * 1000.0,
            "co2_marginal_kg_per_mwh": marg[b].to_numpy()[rep] * 1000.0,
        }))
    return pd.concat(frames, ignore_index=True)

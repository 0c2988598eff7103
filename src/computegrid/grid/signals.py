"""Hourly grid signals per province from a base-year dispatch of the grid model.

The scheduler's default signals when the user gives neither a co-planning run nor a
signals file: a least-cost dispatch of the base-year network
(:func:`computegrid.grid.network.build_network`, solved with
:func:`computegrid.grid.solve.solve_network`) at a coarse resolution, read per bus
(province):

- ``curtailed_mw``: available wind and solar (``p_nom x p_max_pu``) minus dispatched, at the bus;
- ``price_cny_per_mwh``: the bus's locational marginal price (dual of its energy balance);
- ``co2_avg_kg_per_mwh``: emissions of the bus's own generation over that generation
  (assumption: imports are ignored; a bus with no generation gets the national average);
- ``co2_marginal_kg_per_mwh``: intensity of the bus's generator whose marginal cost is
  nearest to the price (the price-setting technology in the merit order; assumption: 0 when
  the bus is curtailing wind or solar, since one more MWh then comes from curtailed power).

An N-hourly solve is expanded to hourly values by repeating each snapshot (mean power over
the interval). The 8,760 model hours (Beijing time) are labelled on the non-leap year
:data:`LABEL_YEAR` and converted to UTC.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from computegrid.grid import results as R
from computegrid.grid.carriers import LOAD_SHEDDING_CARRIER
#: Non-leap year on which the 8,760-h model year is labelled.
LABEL_YEAR = 2019


def province_signals(year: int = 2020, resolution: str = "3h", threads: int | None = 2) -> pd.DataFrame:
    """Solve the base-year dispatch and return hourly signals per province.

    Parameters
    ----------
    year : int
        Demand year of :func:`~computegrid.grid.network.build_network`.
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
    from computegrid.grid.network import build_network
    from computegrid.grid.solve import solve_network

    n = build_network(year=year, resolution=resolution)
    solve_network(n, threads=threads)
    return signals_from_network(n, TIME_ZONE)


def signals_from_network(n, time_zone: str = "Asia/Shanghai") -> pd.DataFrame:
    """Per-bus signals of a solved network, expanded to hourly rows (see module docstring)."""
    gens = n.generators[n.generators.carrier != LOAD_SHEDDING_CARRIER]
    p = n.generators_t.p[gens.index]
    buses = list(n.buses.index)
    curt_bus = R.curtailed_by_bus_mw(n)[buses]
    price = R.marginal_prices_cny_per_mwh(n)[buses]
    co2 = R.co2_t_per_mwh_output(n).reindex(gens.index)  # t/MWh
    em_bus = p.mul(co2, axis=1).T.groupby(gens.bus).sum().T.reindex(columns=buses, fill_value=0.0)
    gen_bus = p.T.groupby(gens.bus).sum().T.reindex(columns=buses, fill_value=0.0)
    national = em_bus.sum(axis=1) / gen_bus.sum(axis=1).where(gen_bus.sum(axis=1) > 0)
    avg = (em_bus / gen_bus.where(gen_bus > 1e-6)).apply(lambda col: col.fillna(national))
    # marginal: the bus's generator (dispatchable or not) with marginal cost nearest the price
    marg = pd.DataFrame(0.0, index=price.index, columns=buses)
    mc = gens.marginal_cost
    for b in buses:
        g = gens.index[gens.bus == b]
        if len(g) == 0:
            marg[b] = avg[b]
            continue
        diff = np.abs(price[b].to_numpy()[:, None] - mc[g].to_numpy()[None, :])
        pick = np.argmin(diff, axis=1)
        marg[b] = co2[g].to_numpy()[pick]
    marg = marg.where(curt_bus <= 1e-3, 0.0)
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

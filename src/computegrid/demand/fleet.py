"""Bottom-up fleet: accelerators in service by vintage (shipments, lifetime, board power).

The energy formula itself (units x power x utilisation x hours x PUE) is
:func:`computegrid.workload.energy.fleet_energy_twh_per_year`; this module only counts the fleet.
"""

from __future__ import annotations

import numpy as np



def installed_fleet(year, fleet_base_year, shipped_base_units, shipment_growth_frac_per_year,
                             lifetime_years, board_power_base_w, board_power_growth_frac_per_year,
                             max_lifetime_years: int = 15):
    """Accelerators in service and their mean board power in each year (vintage model).

    Units shipped in year s number ``shipped_base_units x (1 + g_ship)^(s - base)`` and each draws
    ``board_power_base_w x (1 + g_power)^(s - base)``; a vintage stays in service for
    ``lifetime_years`` (a fractional lifetime keeps that fraction of the oldest vintage).

    Parameters
    ----------
    year : array_like of int, shape (Y,)
        Years to evaluate. [yr]
    fleet_base_year : int
        Year the base shipment and board power refer to. [yr]
    shipped_base_units : array_like, shape (n,)
        Accelerators shipped in the base year. [-]
    shipment_growth_frac_per_year : array_like, shape (n,)
        Growth of annual shipments (also applied backwards before the base year). [1/yr]
    lifetime_years : array_like, shape (n,)
        Service life of an accelerator. [yr]
    board_power_base_w : array_like, shape (n,)
        Mean board power of the accelerators shipped in the base year. [W]
    board_power_growth_frac_per_year : array_like, shape (n,)
        Growth of the board power of each new vintage. [1/yr]
    max_lifetime_years : int, default 15
        Vintages older than this are never counted. [yr]

    Returns
    -------
    n_units : numpy.ndarray, shape (n, Y)
        Accelerators in service. [-]
    mean_board_power_w : numpy.ndarray, shape (n, Y)
        Their mean board power. [W]
    """
    year = np.asarray(year, dtype=float)[None, :]
    ship = np.asarray(shipped_base_units, dtype=float)[:, None]
    g_ship = np.log1p(np.asarray(shipment_growth_frac_per_year, dtype=float))[:, None]
    life = np.asarray(lifetime_years, dtype=float)[:, None]
    p0_w = np.asarray(board_power_base_w, dtype=float)[:, None]
    g_p = np.log1p(np.asarray(board_power_growth_frac_per_year, dtype=float))[:, None]
    # vintage (year - lag) shipments = this year's x exp(-g lag): one (n, Y) array, per-draw factors per lag
    ship_now = ship * np.exp(g_ship * (year - fleet_base_year))
    watt_now = ship_now * p0_w * np.exp(g_p * (year - fleet_base_year))
    units_factor = np.zeros_like(ship)
    watt_factor = np.zeros_like(ship)
    for lag in range(max_lifetime_years):
        in_service_frac = np.clip(life - lag, 0.0, 1.0)
        if not np.any(in_service_frac):
            break
        units_factor += in_service_frac * np.exp(-g_ship * lag)
        watt_factor += in_service_frac * np.exp(-(g_ship + g_p) * lag)
    return ship_now * units_factor, watt_now * watt_factor / (ship_now * units_factor)

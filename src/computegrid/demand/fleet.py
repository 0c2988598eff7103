"""Bottom-up fleet energy: accelerators or servers x power x utilisation x hours x PUE.

One formula, vectorised over numpy arrays; the outlook's bottom-up path and the de Vries (2023)
validation both call it.
"""

from __future__ import annotations

import numpy as np

from computegrid.units import HOURS_PER_YEAR, KWH_PER_TWH


def fleet_energy_twh(n_units, unit_power_kw, utilisation_frac=1.0, pue=1.0,
                     hours_per_year_h=HOURS_PER_YEAR):
    """Annual facility electricity use of a fleet of identical units.

    Parameters
    ----------
    n_units : float or array_like
        Installed units (accelerators or servers). [-]
    unit_power_kw : float or array_like
        Power of one unit at full use (board power x host overhead, or server maximum). [kW]
    utilisation_frac : float or array_like, default 1.0
        Mean power as a fraction of ``unit_power_kw`` over the year. [-]
    pue : float or array_like, default 1.0
        Power usage effectiveness of the facilities. [-]
    hours_per_year_h : float, default 8760
        Hours in the year. [h]

    Returns
    -------
    float or numpy.ndarray
        Facility electricity use. [TWh/yr]

    Notes
    -----
    E = N x P x u x PUE x 8,760 h; with u = PUE = 1 this is the "full use" bound of de Vries [1]_
    (1.5 million servers x 6.5 kW or 10.2 kW x 8,760 h = 85.4-134.0 TWh/yr).

    References
    ----------
    .. [1] A. de Vries, "The growing energy footprint of artificial intelligence," Joule 7(10), 2023.
    """
    energy_kwh = (np.asarray(n_units, dtype=float) * np.asarray(unit_power_kw, dtype=float)
                  * utilisation_frac * pue * hours_per_year_h)
    return energy_kwh / KWH_PER_TWH


def installed_fleet_power_kw(year, fleet_base_year, shipped_base_units, shipment_growth_frac_per_year,
                             lifetime_years, board_power_base_w, board_power_growth_frac_per_year,
                             max_lifetime_years: int = 15):
    """Summed board power of the accelerators in service in each year (vintage model).

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
    numpy.ndarray, shape (n, Y)
        Board power of the installed fleet. [kW]
    """
    year = np.asarray(year, dtype=float)[None, :]
    ship = np.asarray(shipped_base_units, dtype=float)[:, None]
    g_ship = np.log1p(np.asarray(shipment_growth_frac_per_year, dtype=float))[:, None]
    life = np.asarray(lifetime_years, dtype=float)[:, None]
    p0_kw = np.asarray(board_power_base_w, dtype=float)[:, None] / 1e3
    g_p = np.log1p(np.asarray(board_power_growth_frac_per_year, dtype=float))[:, None]
    total_kw = np.zeros(np.broadcast_shapes(ship.shape, year.shape))
    for lag in range(max_lifetime_years):
        in_service_frac = np.clip(life - lag, 0.0, 1.0)
        if not np.any(in_service_frac):
            break
        vintage = year - lag - fleet_base_year
        total_kw += in_service_frac * ship * p0_kw * np.exp((g_ship + g_p) * vintage)
    return total_kw

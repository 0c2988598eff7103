"""Comparisons that make an energy figure tangible: phone charges, households, countries.

Each reference value is a named constant with its source.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from computegrid.workload.checks import require_non_negative, require_positive

#: One full smartphone charge: US EPA figure used in the published version of Luccioni et al.
#: (FAccT 2024). [kWh]
SMARTPHONE_CHARGE_KWH = 0.022
#: One full smartphone charge as used in the preprint of Luccioni et al. (arXiv:2311.16863v1). [kWh]
SMARTPHONE_CHARGE_KWH_PREPRINT = 0.012

#: Average annual electricity use of a US residential customer, EIA, 2020. [kWh/yr]
US_HOUSEHOLD_KWH_PER_YEAR = 10_715.0
#: China's residential electricity consumption in 2023, NEA [secondary]. [kWh/yr]
CHINA_RESIDENTIAL_KWH_2023 = 1.35e12
#: China's family households in the 2020 census [secondary]. [-]
CHINA_FAMILY_HOUSEHOLDS_2020 = 494.16e6
#: Derived: 2023 residential use over 2020 households, about 2,732 kWh per household and year.
#: The years differ (2023 use / 2020 households): households grew after 2020, so this slightly
#: overstates use per household. [kWh/yr]
CHINA_HOUSEHOLD_KWH_PER_YEAR = CHINA_RESIDENTIAL_KWH_2023 / CHINA_FAMILY_HOUSEHOLDS_2020


def smartphone_charges(energy_kwh, charge_kwh=SMARTPHONE_CHARGE_KWH):
    """How many full smartphone charges an energy equals.

    Parameters
    ----------
    energy_kwh : float or array-like
        Energy. [kWh]
    charge_kwh : float, default 0.022
        Energy of one full charge (US EPA figure used by Luccioni et al. 2024). [kWh]

    Returns
    -------
    float or array-like
        Number of charges. [-]
    """
    require_non_negative(energy_kwh, "energy_kwh")
    require_positive(charge_kwh, "charge_kwh")
    return energy_kwh / charge_kwh


def households_equivalent(energy_kwh_per_year, household_kwh_per_year):
    """How many households use as much electricity in a year.

    Parameters
    ----------
    energy_kwh_per_year : float or array-like
        Annual electricity use to compare. [kWh/yr]
    household_kwh_per_year : float
        Annual use of one household, e.g. :data:`US_HOUSEHOLD_KWH_PER_YEAR`. [kWh/yr]

    Returns
    -------
    float or array-like
        Household equivalents. [-]
    """
    require_non_negative(energy_kwh_per_year, "energy_kwh_per_year")
    require_positive(household_kwh_per_year, "household_kwh_per_year")
    return energy_kwh_per_year / household_kwh_per_year


def closest_countries(energy_twh_per_year: float, countries: pd.DataFrame, n: int = 3) -> pd.DataFrame:
    """Countries whose annual electricity is closest to a given annual use (on a log scale).

    Parameters
    ----------
    energy_twh_per_year : float
        Annual electricity use to compare. [TWh/yr]
    countries : pandas.DataFrame
        Columns ``country_name``, ``iso_code``, ``year``, ``electricity_generation_twh``
        (as returned by ``computegrid.datasets.workload.load_country_electricity``).
    n : int, default 3
        Countries to return. [-]

    Returns
    -------
    pandas.DataFrame
        The ``n`` closest countries with column ``ratio`` = energy / country total. [-]
    """
    require_positive(energy_twh_per_year, "energy_twh_per_year")
    c = countries[countries["electricity_generation_twh"] > 0].copy()
    c["ratio"] = energy_twh_per_year / c["electricity_generation_twh"]
    c["distance"] = np.abs(np.log(c["ratio"]))
    return c.nsmallest(n, "distance").drop(columns="distance").reset_index(drop=True)

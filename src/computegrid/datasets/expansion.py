"""Loaders of the data of the capacity expansion (2025-2030): costs, potentials, committed projects, demand.

Files live in ``computegrid/datasets/data/grid/expansion/``; ``tools/prepare_expansion_data.py`` rebuilds the
generated ones; origins and licences are in ``docs/data-sources.md`` (section "Grid: capacity expansion").
Every loader validates what it returns and raises :class:`computegrid.errors.DataFileError` naming the
file, the column, the row and the value.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import numpy as np
import pandas as pd

from computegrid.datasets.grid import annuity_factor, load_annual_demand_mwh, load_provinces
from computegrid.errors import DataFileError, InputError

_DATA = "data/grid/expansion"
#: Years the expansion can be built for (demand projection and committed projects cover them).
EXPANSION_YEARS = tuple(range(2025, 2031))
#: Year of the provincial demand the projection starts from: pypsa-china-pik's 2025 column holds the NBS
#: 2024 provincial consumption (its config comment), 9,849 TWh in all (NEA 2024: 9,852.1 TWh).
DEMAND_BASE_YEAR = 2024
#: Annual growth of national consumption 2024-2030 by case. Central 4.5 %/yr gives 12,830 TWh in 2030,
#: inside the range of published 2030 forecasts (about 12,000-13,800 TWh: CEC/SGERI-type forecasts
#: [secondary]; GlobalData 13,757 TWh [secondary]); low 3.5 %/yr -> 12,110 TWh, high 5.5 %/yr -> 13,585 TWh
#: span that range. 2019-2024 growth was about 6 %/yr (NEA: 7,225 -> 9,852 TWh). Assumption: the cases.
DEMAND_GROWTH_FRAC = {"low": 0.035, "central": 0.045, "high": 0.055}
#: ECB euro foreign exchange reference rate, annual average 2020: 1 EUR = 7.8747 CNY (the cost table is in
#: EUR of 2020, PyPSA technology-data convention).
CNY_PER_EUR = 7.8747
#: PBoC/SAFE central parity, annual average 2020: 1 USD = 6.8976 CNY (nuclear's row is in USD).
CNY_PER_USD = 6.8976
#: Discount rate of the annuities: 7 %, PyPSA-Eur's default ``costs: discountrate`` and the rate of the
#: project's site costs (assumption: one real rate for all technologies).
DISCOUNT_RATE_FRAC = 0.07


def _path(name: str):
    return resources.files("computegrid.datasets").joinpath(_DATA, name)


def _read_csv(name: str, **kwargs) -> pd.DataFrame:
    with resources.as_file(_path(name)) as p:
        return pd.read_csv(p, **kwargs)


def _check(frame: pd.DataFrame, file: str, columns) -> None:
    for col in columns:
        values = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float)
        bad = ~np.isfinite(values) | (values < 0)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise DataFileError(f"{file}: column {col}, row {frame.index[i]}", frame[col].iloc[i],
                                "a finite value >= 0")


def _check_provinces(frame: pd.DataFrame, file: str, columns) -> None:
    known = set(load_provinces().index)
    for col in columns:
        vals = frame[col].dropna()
        bad = ~vals.isin(known)
        if bad.any():
            raise DataFileError(f"{file}: column {col}, row {vals.index[bad][0]}", vals[bad].iloc[0],
                                "a province code")


def load_costs_2030() -> pd.DataFrame:
    """The rows of PyPSA-China-PIK's 2030 technology cost table used by the expansion (unchanged).

    Returns
    -------
    pandas.DataFrame
        Columns ``technology``, ``parameter``, ``value``, ``unit``, ``source``.
    """
    df = _read_csv("costs_2030.csv")
    _check(df, "costs_2030.csv", ["value"])
    return df


@dataclass(frozen=True)
class TechnologyCost:
    """Annualised cost of one technology in CNY.

    Attributes
    ----------
    investment_cny_per_mw : float   overnight investment per MW (per MW-km for lines) [CNY/MW]
    lifetime_yr : float             [yr]
    fom_frac : float                fixed O&M per year as a share of the investment [-]
    capital_cost_cny_per_mw_yr : float  annuity + fixed O&M [CNY/MW/yr]
    source : str
    """

    investment_cny_per_mw: float
    lifetime_yr: float
    fom_frac: float
    capital_cost_cny_per_mw_yr: float
    source: str


_UNIT_TO_CNY_PER_MW = {"EUR/kW": 1e3 * CNY_PER_EUR, "EUR/kW_e": 1e3 * CNY_PER_EUR, "EUR/kWel": 1e3 * CNY_PER_EUR,
                       "EUR/kW_e, 2020": 1e3 * CNY_PER_EUR, "EUR/kWh": 1e3 * CNY_PER_EUR,
                       "USD/kW_e": 1e3 * CNY_PER_USD, "EUR/MW": CNY_PER_EUR, "EUR/km/MW": CNY_PER_EUR,
                       "EUR/MW/km": CNY_PER_EUR}


def technology_cost(technology: str, discount_rate_frac: float = DISCOUNT_RATE_FRAC) -> TechnologyCost:
    """Investment, lifetime, fixed O&M and annualised capital cost of one row group of the cost table.

    Parameters
    ----------
    technology : str
        A ``technology`` of :func:`load_costs_2030` (``onwind``, ``solar-utility``, ``battery storage``
        (per MWh), ``HVDC overhead`` (per MW-km), ...).
    discount_rate_frac : float
        Real discount rate of the annuity. [-]

    Returns
    -------
    TechnologyCost
    """
    df = load_costs_2030()
    rows = df[df["technology"] == technology].set_index("parameter")
    if "investment" not in rows.index:
        raise InputError("technology", technology, "one of " + ", ".join(sorted(df["technology"].unique())))
    unit = str(rows.at["investment", "unit"])
    if unit not in _UNIT_TO_CNY_PER_MW:
        raise DataFileError(f"costs_2030.csv: column unit, row {technology}", unit,
                            "one of " + ", ".join(_UNIT_TO_CNY_PER_MW))
    inv = float(rows.at["investment", "value"]) * _UNIT_TO_CNY_PER_MW[unit]
    life = float(rows.at["lifetime", "value"]) if "lifetime" in rows.index else 25.0
    fom = float(rows.at["FOM", "value"]) / 100.0 if "FOM" in rows.index else 0.0
    capital = inv * (float(annuity_factor(discount_rate_frac, life)) + fom)
    return TechnologyCost(inv, life, fom, capital, str(rows.at["investment", "source"]))


def load_resource_potential_mw() -> pd.DataFrame:
    """Technical potential of wind and solar per province (pypsa-china-thu atlite ``p_nom_max``). [MW]

    Returns
    -------
    pandas.DataFrame
        Index ``province``; ``onwind_mw``, ``offwind_mw``, ``solar_mw``. [MW]
    """
    df = _read_csv("resource_potential_mw.csv", index_col="province")
    _check(df, "resource_potential_mw.csv", df.columns)
    _check_provinces(df.reset_index(), "resource_potential_mw.csv", ["province"])
    return df.reindex(load_provinces().index).fillna(0.0)


def load_coal_changes_mw() -> pd.DataFrame:
    """Coal units retired, commissioned and permitted per province and year (GEM GCPT July 2023).

    Returns
    -------
    pandas.DataFrame
        Columns ``province``, ``change`` (``retire``/``commission``/``permitted``), ``basis``, ``year``,
        ``capacity_mw`` [MW].
    """
    df = _read_csv("coal_changes_mw.csv")
    _check(df, "coal_changes_mw.csv", ["capacity_mw", "year"])
    _check_provinces(df, "coal_changes_mw.csv", ["province"])
    return df


def load_committed_projects() -> pd.DataFrame:
    """Committed nuclear units, UHV lines and the pumped-storage target, each with its source.

    Returns
    -------
    pandas.DataFrame
        Columns ``kind`` (``nuclear``/``uhv``/``phs``), ``name``, ``bus0``, ``bus1`` (UHV receiving end),
        ``capacity_mw`` [MW], ``in_service_year``, ``source``.
    """
    df = _read_csv("committed_2030.csv")
    _check(df, "committed_2030.csv", ["capacity_mw", "in_service_year"])
    _check_provinces(df, "committed_2030.csv", ["bus0", "bus1"])
    bad = ~df["kind"].isin(["nuclear", "uhv", "phs"])
    if bad.any():
        raise DataFileError(f"committed_2030.csv: column kind, row {int(np.argmax(bad))}",
                            df.loc[bad, "kind"].iloc[0], "nuclear, uhv or phs")
    return df


def load_phs_pipeline_mw() -> pd.Series:
    """Pumped-storage additions 2021-2025 per province (pypsa-china-thu), the key of the 2030 target. [MW]"""
    df = _read_csv("phs_pipeline_mw.csv", index_col="province")
    _check(df, "phs_pipeline_mw.csv", df.columns)
    return df["phs_additions_2021_2025_mw"].reindex(load_provinces().index).fillna(0.0)


def demand_projection_mwh(year: int, case: str = "central") -> pd.Series:
    """Provincial annual demand of a year 2025..2030 from the 2024 statistics and a national growth rate.

    National total = 2024 consumption x (1 + g)^(year - 2024) with g of :data:`DEMAND_GROWTH_FRAC`;
    provinces grow with pypsa-china-pik's own provincial pattern (its 2035 over 2025 demand per province),
    rescaled to the national total.

    Returns
    -------
    pandas.Series
        Index province. [MWh]
    """
    if case not in DEMAND_GROWTH_FRAC:
        raise InputError("demand case", case, "one of " + ", ".join(DEMAND_GROWTH_FRAC))
    if int(year) not in EXPANSION_YEARS:
        raise InputError("year", year, "one of " + ", ".join(map(str, EXPANSION_YEARS)))
    table = load_annual_demand_mwh()
    base = table[2025]  # NBS 2024 provincial consumption (see DEMAND_BASE_YEAR)
    pattern = base * (table[2035] / table[2025]) ** ((int(year) - DEMAND_BASE_YEAR) / 11.0)
    total = base.sum() * (1.0 + DEMAND_GROWTH_FRAC[case]) ** (int(year) - DEMAND_BASE_YEAR)
    return (pattern * total / pattern.sum()).rename(f"demand_{year}_mwh")


#: End-2024 wind + solar stock: wind 520.68 GW + solar 886.66 GW (NEA, 2025-01-21 release of the 2024
#: statistics [secondary]; the 2024 fleet file's national totals). [MW]
WIND_SOLAR_END_2024_MW = 520_680.0 + 886_660.0
#: China's 2035 NDC (Xi Jinping, UN Climate Summit, 2025-09-24): wind + solar capacity "more than six times
#: the 2020 level, striving to bring the total to 3,600 GW". [MW]
WIND_SOLAR_2035_TARGET_MW = 3_600_000.0


def wind_solar_floor_mw(year: int) -> float:
    """The wind + solar capacity trajectory of ``year``: linear from the end-2024 stock to the 2035 NDC
    target (2030: 1,407.3 + 6/11 x 2,192.7 = 2,603.3 GW). [MW]

    Assumption: a straight line between the two cited points (no published 2030 figure; the 2030 target of
    1,200 GW of the Action Plan for Carbon Dioxide Peaking, 国发〔2021〕23号, was passed in 2024).
    """
    frac = (int(year) - 2024) / (2035 - 2024)
    return WIND_SOLAR_END_2024_MW + frac * (WIND_SOLAR_2035_TARGET_MW - WIND_SOLAR_END_2024_MW)


#: Lithium-iron-phosphate storage systems (battery, PCS, integration) in China's largest tender to date,
#: China Energy Engineering's 25 GWh framework procurement (results mid-2025): average bid 0.4646 CNY/Wh for
#: 2-hour and 0.4249 CNY/Wh for 4-hour systems [secondary: Mercom, 2025-07-01]. Assumption: 2030 prices no
#: lower (2024-2025 prices fell about 30 % a year; a conservative freeze). [CNY/Wh]
BATTERY_SYSTEM_CNY_PER_WH = {2.0: 0.4646, 4.0: 0.4249}
#: Turnkey (EPC) over system price: June 2023 tenders averaged 1.49 CNY/Wh for EPC and 1.04 CNY/Wh for
#: systems (EnergyTrend, 2023-07-17 [secondary]); assumption: the same ratio for grid connection, civil works
#: and land in 2030. [-]
BATTERY_EPC_OVER_SYSTEM = 1.49 / 1.04
#: Assumption: 15 years (LFP cycle life of about 6,000 full cycles at about one cycle a day) and fixed O&M
#: of 2 % of the investment a year (no Chinese figure found; PyPSA technology-data's 0.34 % covers the
#: inverter only). [yr], [-]
BATTERY_LIFETIME_YR = 15.0
BATTERY_FOM_FRAC = 0.02


@dataclass(frozen=True)
class BatteryCost:
    """Annualised cost of a battery split into a power part and an energy part, from the 2 h and 4 h prices.

    Attributes
    ----------
    power_cny_per_mw : float        overnight investment of the power part [CNY/MW]
    energy_cny_per_mwh : float      overnight investment of the energy part [CNY/MWh]
    power_cny_per_mw_yr : float     annuity + fixed O&M of the power part [CNY/MW/yr]
    energy_cny_per_mwh_yr : float   annuity + fixed O&M of the energy part [CNY/MWh/yr]
    """

    power_cny_per_mw: float
    energy_cny_per_mwh: float
    power_cny_per_mw_yr: float
    energy_cny_per_mwh_yr: float

    def capital_cost_cny_per_mw_yr(self, max_hours_h: float) -> float:
        """Annualised cost of one MW with ``max_hours_h`` hours of storage. [CNY/MW/yr]"""
        return self.power_cny_per_mw_yr + max_hours_h * self.energy_cny_per_mwh_yr


def battery_cost_china(discount_rate_frac: float = DISCOUNT_RATE_FRAC) -> BatteryCost:
    """China's battery cost (:data:`BATTERY_SYSTEM_CNY_PER_WH` x :data:`BATTERY_EPC_OVER_SYSTEM`): a 2 h system
    1,331 CNY/kW and a 4 h system 2,435 CNY/kW turnkey give 552 CNY/kWh for the energy and 228 CNY/kW for
    the power part.

    Returns
    -------
    BatteryCost
    """
    total = {h: p * BATTERY_EPC_OVER_SYSTEM * h * 1e6 for h, p in BATTERY_SYSTEM_CNY_PER_WH.items()}  # [CNY/MW]
    energy = (total[4.0] - total[2.0]) / 2.0
    power = total[2.0] - 2.0 * energy
    k = float(annuity_factor(discount_rate_frac, BATTERY_LIFETIME_YR)) + BATTERY_FOM_FRAC
    return BatteryCost(power, energy, power * k, energy * k)


#: Distributed (rooftop, commercial and industrial) solar added per year: NEA, 2023 96.29 GW and 2024
#: 118.18 GW of distributed PV added [secondary, recalled] -> mean 107.2 GW. Distributed PV is built against
#: retail tariffs and self-consumption, not the wholesale least cost the expansion minimises, so it enters as a
#: committed trajectory. Assumption: the 2023-2024 pace holds to 2030. [MW/yr]
DISTRIBUTED_SOLAR_ADD_MW_PER_YR = (96_290.0 + 118_180.0) / 2.0


#: New-type storage (batteries) in operation: end-2024 73.76 GW (NEA, 2025-01 press conference) and the target
#: of "above 180 GW" by 2027 (NDRC/NEA, Special Action Plan for Large-scale New-type Storage 2025-2027,
#: 发改能源〔2025〕1144号). [MW]
BATTERY_END_2024_MW = 73_760.0
BATTERY_2027_TARGET_MW = 180_000.0


def battery_floor_mw(year: int) -> float:
    """New-type storage floor of ``year``: linear from end-2024 to the 2027 target, then the target (no later
    target published; assumption: no decline). 2025: 109.2 GW, 2027-2030: 180 GW. [MW]

    CEC found the storage paired with renewables used 0.31 equivalent cycles a day in 2023 (17 % utilisation
    [secondary]): batteries are built by mandate and target, not by arbitrage value, so the target enters
    as a floor and the optimiser chooses where and of which duration.
    """
    frac = min(max((int(year) - 2024) / 3.0, 0.0), 1.0)
    return BATTERY_END_2024_MW + frac * (BATTERY_2027_TARGET_MW - BATTERY_END_2024_MW)


#: Largest annual wind addition to date: 79.82 GW in 2024 (NEA, 2025-01-21 [secondary, recalled]); 2020
#: 71.67 GW, 2023 75.66 GW. [MW/yr]
WIND_MAX_ANNUAL_ADDITION_MW = 79_820.0
#: PyPSA-Eur's build-rate limit (``sector: limit_max_growth``): at most 1.3 times the largest historic annual
#: addition per year. [-]
MAX_GROWTH_FACTOR = 1.3

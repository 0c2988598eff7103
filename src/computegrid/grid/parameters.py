"""Parameters of the China grid model by carrier, each with its source.

Costs are in CNY (2020), energies in MWh, emissions in tCO2 per MWh of electricity supplied. These are the
defaults of :func:`computegrid.grid.network.build_network`; pass a modified :class:`GridParameters` to change
them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from computegrid.grid.carriers import LOAD_SHEDDING_CARRIER

# --- fuel and emissions arithmetic (each constant cited) ---------------------------------------------
#: Net heat rate of China's coal fleet 2020: 305.5 gce/kWh supplied (CEC, 2020 statistics, "供电标准煤耗
#: 305.5 克/千瓦时") [secondary]. [tce/MWh]
COAL_HEAT_RATE_TCE_PER_MWH = 0.3055
#: Energy content of one tonne of coal equivalent: 29.3076 GJ (7,000 kcal/kg, Chinese national standard
#: GB/T 2589). [GJ/tce]
GJ_PER_TCE = 29.3076
#: IPCC 2006 Guidelines, Vol. 2 Table 1.4, default CO2 factor of other bituminous coal: 94.6 tCO2/TJ.
COAL_TCO2_PER_GJ = 0.0946
#: IPCC 2006 Guidelines, Vol. 2 Table 1.4, natural gas: 56.1 tCO2/TJ.
GAS_TCO2_PER_GJ = 0.0561
#: Assumption: net efficiency of the gas fleet (mix of combined-cycle ~55% and peaking units ~38%). [-]
GAS_EFFICIENCY = 0.50
#: Assumption: 2020 thermal coal price, 5,500 kcal/kg at Qinhuangdao port, about 580 CNY/t (CCTD/China
#: Coal Market index annual mean; range 530-690 CNY/t over 2020) [secondary]. [CNY/t]
COAL_PRICE_CNY_PER_T_5500KCAL = 580.0
#: Assumption: gas price for power plants about 2.5 CNY/m3 (provincial city-gate prices 2020 plus
#: transport) at 36 MJ/m3 (lower heating value of Chinese pipeline gas, GB 17820 class 1 >= 34 MJ/m3). [CNY/GJ]
GAS_PRICE_CNY_PER_GJ = 2.5 / 0.036

COAL_PRICE_CNY_PER_TCE = COAL_PRICE_CNY_PER_T_5500KCAL * 7000.0 / 5500.0
COAL_CO2_T_PER_MWH = COAL_HEAT_RATE_TCE_PER_MWH * GJ_PER_TCE * COAL_TCO2_PER_GJ  # about 0.847
GAS_CO2_T_PER_MWH = 3.6 / GAS_EFFICIENCY * GAS_TCO2_PER_GJ  # about 0.404
COAL_FUEL_CNY_PER_MWH = COAL_HEAT_RATE_TCE_PER_MWH * COAL_PRICE_CNY_PER_TCE  # about 226
GAS_FUEL_CNY_PER_MWH = 3.6 / GAS_EFFICIENCY * GAS_PRICE_CNY_PER_GJ  # 500


@dataclass(frozen=True)
class GridParameters:
    """Parameters of the base-year model. Every default is cited in the field's comment.

    Attributes
    ----------
    marginal_cost_cny_per_mwh : dict
        Short-run cost per carrier. [CNY/MWh]
    co2_t_per_mwh : dict
        Direct CO2 per MWh supplied, per carrier. [tCO2/MWh]
    voll_cny_per_mwh : float
        Value of lost load: cost of the ``load-shedding`` generators. [CNY/MWh]
    coal_min_pu : float
        Minimum output of the condensing coal fleet as a share of its capacity. [-]
    chp_winter_min_pu : float
        Minimum output of coal CHP in the northern heating season as a share of CHP capacity. [-]
    heating_provinces : tuple
        Provinces with central heating (heating season 15 Nov - 15 Mar).
    nuclear_pu : float
        Flat output of nuclear as a share of capacity. [-]
    hydro_full_load_hours_h : float
        Annual inflow of conventional hydro in full-load hours. [h]
    hydro_seasonal_amplitude : float
        Relative amplitude of the monthly inflow cosine (peak in August). [-]
    hydro_max_hours_h : float
        Reservoir size of the aggregated hydro plant in hours at full output. [h]
    phs_max_hours_h, battery_max_hours_h : float
        Energy-to-power ratios. [h]
    phs_efficiency, battery_efficiency : float
        Round-trip efficiencies, split equally between charge and discharge. [-]
    wind_curtailment_frac, solar_curtailment_frac : float
        National 2020 curtailment used to turn realised full-load hours into available hours. [-]
    wind_year_average_frac, solar_year_average_frac : float
        Capacity online the whole of 2020 over year-end 2020 stock (for the 2020 fleet). [-]
    coal_capacity_mw, gas_capacity_mw : float or None
        National capacity the provincial coal and gas stock is scaled to (None: as in the files). [MW]
    """

    marginal_cost_cny_per_mwh: dict = field(default_factory=lambda: {
        "coal": round(COAL_FUEL_CNY_PER_MWH, 1),  # fuel only: heat rate x coal price (see constants)
        "gas": round(GAS_FUEL_CNY_PER_MWH, 1),  # fuel only
        "nuclear": 40.0,  # assumption: fuel + variable O&M about 0.04 CNY/kWh
        "hydro": 5.0,  # assumption: variable O&M, water resource fee about 0.005 CNY/kWh
        "onwind": 0.5,  # assumption: near zero; small positive values break ties
        "offwind": 0.5,
        "solar": 0.4,
        "PHS": 1.0,  # assumption: variable O&M per MWh discharged
        "battery": 2.0,
    })
    co2_t_per_mwh: dict = field(default_factory=lambda: {
        "coal": round(COAL_CO2_T_PER_MWH, 4), "gas": round(GAS_CO2_T_PER_MWH, 4), "nuclear": 0.0,
        "hydro": 0.0, "onwind": 0.0, "offwind": 0.0, "solar": 0.0, "PHS": 0.0, "battery": 0.0,
        LOAD_SHEDDING_CARRIER: 0.0,
    })
    #: assumption: pithead coal in the big producing provinces costs about 30% less than coal delivered to
    #: the coast (Qinhuangdao port price minus rail/sea freight of 150-200 CNY/t); factor on coal cost.
    coal_cost_factor_by_province: dict = field(default_factory=lambda: {
        "NM": 0.7, "SX": 0.7, "SN": 0.7, "XJ": 0.6, "NX": 0.75, "GS": 0.85, "QH": 0.9, "GZ": 0.85,
        "HA": 0.9, "AH": 0.9, "HE": 0.95, "SD": 0.95, "HL": 0.9, "YN": 0.9, "GD": 1.05, "GX": 1.05,
        "FJ": 1.05, "HI": 1.1, "ZJ": 1.05, "SH": 1.05, "JS": 1.0, "HN": 1.05, "JX": 1.05, "HB": 1.05,
        "CQ": 1.0, "SC": 1.0})
    #: assumption: 30 CNY/kWh, far above any fuel cost so that shedding is the last resort.
    voll_cny_per_mwh: float = 30_000.0
    #: assumption: without unit commitment, about 80% of the condensing fleet stays online at its minimum
    #: stable load (about 50% of rating for Chinese subcritical/supercritical units) -> 0.4 of fleet
    #: capacity; 0.2 gave almost no curtailment, 0.5 with 48 h reservoirs spilled 9% of hydro (see docs).
    coal_min_pu: float = 0.4
    #: assumption: heat-led operation ("以热定电") holds extraction-condensing CHP units at 70-80% of their
    #: electrical rating at full heat load in the heating season; 0.75 (0.6 gave 0.6% wind curtailment,
    #: 0.75 gives 1.5%, see docs/grid-model.md).
    chp_winter_min_pu: float = 0.75
    #: Minimum output of captive (industry-owned) coal units all year as a share of their capacity; None:
    #: treated like the rest of the fleet (the 2020 stock has no captive flag).
    captive_coal_min_pu: float | None = None
    #: Provinces north of the Qinling-Huaihe line with central heating (GB 50736 heating zones).
    heating_provinces: tuple = ("BJ", "TJ", "HE", "SX", "NM", "LN", "JL", "HL", "SD", "HA", "SN", "GS",
                                "QH", "NX", "XJ")
    #: assumption: must-run (coal minimum + CHP + gas + nuclear) is capped at the province's demand in each
    #: hour; beyond that the dispatch would be infeasible whenever exports are congested.
    must_run_max_demand_frac: float = 1.0
    #: assumption: gas plants run at least a quarter of their capacity all year (take-or-pay supply
    #: contracts, gas CHP in the south-east) and as CHP at ``chp_winter_min_pu`` in heating provinces.
    gas_min_pu: float = 0.25
    #: NBS 2020 statistical communique: nuclear capacity 49.89 GW at end-2020 (the pypsa-china-pik table
    #: sums to 54.6 GW, it includes units commissioned later) and is scaled to it.
    nuclear_capacity_mw: float | None = 49_890.0
    #: CEC 2020: nuclear utilisation 7,453 h -> 0.851 of capacity, run flat [secondary].
    nuclear_pu: float = 7453.0 / 8760.0
    #: CEC 2020: hydro utilisation 3,827 h [secondary].
    hydro_full_load_hours_h: float = 3827.0
    #: assumption: wet/dry season ratio about 2.3 (August vs February), amplitude 0.4 of a cosine.
    hydro_seasonal_amplitude: float = 0.4
    #: assumption: share of the natural hydro inflow that is generated as it arrives (run-of-river plants
    #: without pondage, cascades passing upstream releases, minimum ecological flows); modelled as a
    #: fixed-output "<code> ror" generator of carrier hydro (k x capacity), the reservoir keeps the rest.
    hydro_run_of_river_frac: float = 0.0
    #: Corridors whose flow is held constant within each day when the base year is validated (contracted
    #: UHV DC schedules, :mod:`computegrid.grid.operations`); empty: none.
    daily_scheduled_corridors: tuple = ()
    #: Wind and solar of a province curtailed in the same proportion in each hour when the base year is
    #: validated (:func:`computegrid.grid.operations.proportional_curtailment`; assumption: dispatchers
    #: share curtailment among the stations of an area, docs/grid-model.md); False: least-cost choice.
    proportional_curtailment: bool = True
    #: assumption: weekly regulation of the aggregated provincial reservoir (168 h at full output).
    hydro_max_hours_h: float = 168.0
    #: assumption: 6 h, typical of Chinese pumped-storage plants (e.g. Fengning 3.6 GW / 40 GWh = 11 h,
    #: Guangzhou 2.4 GW / 14 GWh = 6 h).
    phs_max_hours_h: float = 6.0
    #: assumption: 2 h, typical of 2020-era grid batteries in China.
    battery_max_hours_h: float = 2.0
    phs_efficiency: float = 0.75  # assumption: round trip 75% (IEA/IRENA typical 70-80%)
    battery_efficiency: float = 0.85  # assumption: round trip 85% (lithium-ion, incl. inverter)
    #: NEA 2020: national wind utilisation rate 96.5% -> curtailment 3.5%.
    wind_curtailment_frac: float = 0.035
    #: NEA 2020: national solar utilisation rate 98.0% -> curtailment 2.0%.
    solar_curtailment_frac: float = 0.020
    #: CEC: grid-connected wind 210.05 GW end-2019, 281.53 GW end-2020 -> 0.746 ran all year.
    wind_year_average_frac: float = 210.05 / 281.53
    #: CEC: grid-connected solar 204.18 GW end-2019, 253.43 GW end-2020 -> 0.806 ran all year.
    solar_year_average_frac: float = 204.18 / 253.43
    #: CEC end-2020: coal-fired capacity 1,080 GW (10.8亿千瓦) [secondary]; the pypsa-china-thu stock sums to
    #: 1,276 GW (condensing + CHP) and is scaled to it.
    coal_capacity_mw: float | None = 1_080_000.0
    #: CEC end-2020: gas-fired capacity 98 GW (9,802万千瓦) [secondary]; the file's 75 GW is scaled to it.
    gas_capacity_mw: float | None = 98_020.0
    #: National realised full-load hours the provincial statistics are scaled to (None: the provincial
    #: 2020 statistics as published). [h]
    wind_full_load_hours_h: float | None = None
    solar_full_load_hours_h: float | None = None


DEFAULT_PARAMETERS = GridParameters()

# --- end-2024 base year (each value cited; "[secondary]" = through a report of the primary release) ----
#: NEA: wind 441.34 GW end-2023, 520.68 GW end-2024; solar 609.49 GW and 886.66 GW [secondary].
_WIND_END_2023_2024_MW = (441_340.0, 520_680.0)
_SOLAR_END_2023_2024_MW = (609_490.0, 886_660.0)
#: CEC full-caliber 2024 generation: wind 991.6 TWh, solar 834.1 TWh, hydro 1,425.7 TWh (incl. pumped
#: storage) [secondary, recalled]; see official_2024.csv.
_GEN_2024_MWH = {"wind": 991.6e6, "solar": 834.1e6, "hydro": 1_425.7e6}


#: assumption: a share of hydro inflow is generated as it arrives (run-of-river plants, cascades,
#: ecological flows); see ``GridParameters.hydro_run_of_river_frac`` and docs/grid-model.md.
HYDRO_RUN_OF_RIVER_FRAC = 0.5
#: UHV DC corridors out of the north-west with contracted daily schedules (names of corridors.csv):
#: Changji-Guquan (AH-XJ), Hami-Zhengzhou (HA-XJ), Jiuquan-Hunan (GS-HN), Lingzhou-Shaoxing (NX-ZJ),
#: Yinchuan-Qingdao (NX-SD), Qinghai-Henan (HA-QH), Shaanbei-Wuhan (HB-SN).
NORTHWEST_DC_CORRIDORS = ("AH-XJ", "HA-XJ", "GS-HN", "NX-ZJ", "NX-SD", "HA-QH", "HB-SN")


def _mean_frac(end_prev_mw: float, end_mw: float) -> float:
    return 0.5 * (end_prev_mw + end_mw) / end_mw


def base_year_parameters(year: int) -> GridParameters:
    """Default parameters of a base year (2020: :data:`DEFAULT_PARAMETERS`; 2024: the fields below).

    For 2024 the fleet file already holds the official national totals (no scaling of coal, gas,
    nuclear); wind and solar count the mean of the end-2023 and end-2024 stock (additions came through
    the year) and their realised full-load hours are the official 2024 generation over that mean
    capacity: wind 991.6 TWh / 481.0 GW = 2,062 h, solar 834.1 TWh / 748.1 GW = 1,115 h (CEC's hours of
    plants >= 6 MW, 2,127 h and 1,211 h [secondary], leave out distributed solar).

    Returns
    -------
    GridParameters
    """
    if int(year) == 2020:
        return DEFAULT_PARAMETERS
    wind_f = _mean_frac(*_WIND_END_2023_2024_MW)
    solar_f = _mean_frac(*_SOLAR_END_2023_2024_MW)
    return replace(
        DEFAULT_PARAMETERS,
        coal_capacity_mw=None, gas_capacity_mw=None, nuclear_capacity_mw=None,
        # CEC 2024: nuclear utilisation 7,683 h [secondary, recalled] over the mean of the end-2023
        # (56.91 GW, NEA) and end-2024 (60.83 GW) fleet, applied to the end-2024 fleet.
        nuclear_pu=7683.0 / 8760.0 * _mean_frac(56_910.0, 60_830.0),
        # (1,425.7 TWh hydro incl. pumped storage - assumption: about 50 TWh pumped-storage output, 58.7 GW
        # x about 850 h) / 377.26 GW conventional hydro = 3,646 h.
        hydro_full_load_hours_h=(_GEN_2024_MWH["hydro"] - 50e6) / 377_260.0,
        # NEA monitoring centre 2024: wind utilisation 95.9 %, solar 96.8 % [secondary, recalled]
        wind_curtailment_frac=0.041, solar_curtailment_frac=0.032,
        wind_year_average_frac=wind_f, solar_year_average_frac=solar_f,
        wind_full_load_hours_h=_GEN_2024_MWH["wind"] / (_WIND_END_2023_2024_MW[1] * wind_f),
        solar_full_load_hours_h=_GEN_2024_MWH["solar"] / (_SOLAR_END_2023_2024_MW[1] * solar_f),
        # NEA end-2024: new-type storage 73.76 GW / 168 GWh -> 2.28 h [secondary]
        battery_max_hours_h=168.0 / 73.76,
        # NDRC/NEA "全国煤电机组改造升级实施方案" (发改运行〔2021〕1519号): 200 GW of coal flexibility retrofits
        # in 2021-2025, heating CHP units to reach 40 % minimum output for 6 h a day in the heating season;
        # assumption: the retrofitted CHP fleet holds that minimum all day in 2024 (0.55, half way from the
        # 2020 value, gave 6.3 % wind curtailment against 4.1 % official; 0.40 gives 5.5 %, docs).
        chp_winter_min_pu=0.40,
        # gas must-run keeps the 2020 ratio to the fleet's mean utilisation (0.25 / 0.30: 248.5 TWh over
        # 94 GW mean capacity) at the 2024 utilisation (300 TWh over 135 GW mean capacity = 0.25) -> 0.21;
        # the 2021-2024 additions were mostly peaking units.
        gas_min_pu=0.21,
        hydro_run_of_river_frac=HYDRO_RUN_OF_RIVER_FRAC,
        daily_scheduled_corridors=NORTHWEST_DC_CORRIDORS,
        # captive (industry-owned) coal, 127 GW by GEM's Captive flag, is "usually not centrally dispatched
        # by the grid and does not provide ancillary services" (IHS Markit, "The end of cheap electricity",
        # 2018-07-25: 142 GW of captive coal at end-2017, 49 % of Xinjiang's coal fleet, 30 % of Shandong's)
        # [secondary]. assumption: it holds 0.6 of its rating all year, between the fleet minimum (0.4) and
        # a flat industrial load (0.8); calibrated, 3-hourly: 0.4 gives wind / solar curtailment 3.0 % /
        # 2.3 %, 0.8 gives 5.4 % / 4.8 % (official 4.1 % / 3.2 %), docs/grid-model.md.
        captive_coal_min_pu=0.6,
    )

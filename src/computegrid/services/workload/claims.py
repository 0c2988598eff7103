"""Check the public claims about AI and electricity against published inputs.

Each claim of the debate (see ``docs/energy-accounting.md``) is recomputed with the estimators of
:mod:`computegrid.workload`; every input carries its value, unit and source, the result a range
where inputs are uncertain, and a verdict: ``holds``, ``holds only if`` or ``does not hold``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from computegrid import units
from computegrid.workload import comparisons, energy, inference
from computegrid.workload.hardware import HardwareCatalog

HOLDS = "holds"
HOLDS_ONLY_IF = "holds only if"
DOES_NOT_HOLD = "does not hold"

# --- cited inputs not in the bundled tables -------------------------------------------------
#: Utilisation behind the 3,740 kWh/yr H100 figure: P. Churnock (Microsoft), reported by
#: Tom's Hardware (Dec 2023) [secondary]. [-]
H100_UTILISATION_CHURNOCK = 0.61
#: Uptime Institute global average PUE, 2023 (Global Data Center Survey) [secondary]. [-]
PUE_UPTIME_2023 = 1.58
#: AI servers NVIDIA could ship per year by 2027: de Vries, Joule 7(10), 2023. [-]
AI_SERVERS_PER_YEAR_2027 = 1.5e6
#: Claimed growth of AI compute demand: x10 every six months = x100 per year. [-/yr]
CLAIMED_COMPUTE_GROWTH_PER_YEAR = 10.0 ** 2
#: Energy efficiency of ML hardware (FLOP/s per W): about +30 %/yr, Epoch AI, "Machine Learning
#: Hardware" data (2024) [secondary]; Koomey & Naffziger (2016): computations per kWh doubled every
#: 2.6 years after 2000 (x1.31/yr) agree. [-/yr]
EFFICIENCY_GAIN_PER_YEAR_LOW = 1.30
#: Koomey et al., "Implications of Historical Trends in the Electrical Efficiency of Computing",
#: IEEE Annals of the History of Computing 33(3), 2011: doubling every 1.57 years, 1946-2009. [-/yr]
EFFICIENCY_GAIN_PER_YEAR_HIGH = 2.0 ** (1.0 / 1.57)
#: Data-centre electricity in 2024: world about 415 TWh, China about 102 TWh
#: (IEA, "Energy and AI", 2025) [secondary]. [TWh/yr]
DATA_CENTRES_WORLD_TWH_2024 = 415.0
DATA_CENTRES_CHINA_TWH_2024 = 102.0
#: assumption: AI's share of data-centre electricity in 2024 is bracketed between 10 % (low) and
#: 100 % (all data centres, a hard upper bound); no single published figure is used. [-]
AI_SHARE_OF_DATA_CENTRES_LOW = 0.10
AI_SHARE_OF_DATA_CENTRES_HIGH = 1.0
BASE_YEAR = 2024


@dataclass(frozen=True)
class ClaimInput:
    """One input of a claim computation."""

    name: str
    value: float
    unit: str
    source: str


@dataclass(frozen=True)
class ClaimCheck:
    """A claim, its computation, the result, its range and a verdict."""

    id: str
    claim: str
    inputs: list[ClaimInput]
    computation: str
    result: dict[str, float]
    range_low: float
    range_high: float
    range_unit: str
    verdict: str
    verdict_detail: str
    years: list[dict] = field(default_factory=list)


def check_image_vs_phone(luccioni: pd.DataFrame) -> ClaimCheck:
    """Claim 1: one AI image uses as much electricity as fully charging a smartphone."""
    mean = inference.inference_task(luccioni, "image-generation")
    worst = inference.inference_task(luccioni, "image-generation-least-efficient")
    wh_mean = float(inference.energy_wh_per_item(mean.energy_kwh_per_1000_items_mean))
    wh_worst = float(inference.energy_wh_per_item(worst.energy_kwh_per_1000_items_mean))
    charge_wh = comparisons.SMARTPHONE_CHARGE_KWH * units.WH_PER_KWH
    charge_wh_pre = comparisons.SMARTPHONE_CHARGE_KWH_PREPRINT * units.WH_PER_KWH
    c_mean = wh_mean / charge_wh
    c_worst = wh_worst / charge_wh
    c_worst_pre = wh_worst / charge_wh_pre
    c_mean_pre = wh_mean / charge_wh_pre
    return ClaimCheck(
        id="image-vs-smartphone",
        claim="Generating one AI image uses as much electricity as fully charging a smartphone.",
        inputs=[
            ClaimInput("image generation, mean over models", wh_mean, "Wh/image",
                       "Luccioni et al., FAccT 2024, Table 2 (2.907 kWh per 1,000; std 3.31)"),
            ClaimInput("least efficient image model", wh_worst, "Wh/image",
                       "Luccioni et al., FAccT 2024 (11.49 kWh per 1,000 images)"),
            ClaimInput("smartphone charge (published version)", charge_wh, "Wh",
                       "US EPA figure used in Luccioni et al., FAccT 2024"),
            ClaimInput("smartphone charge (preprint)", charge_wh_pre, "Wh",
                       "Luccioni et al., arXiv:2311.16863v1"),
        ],
        computation=(f"charges per image = Wh per image / Wh per charge = {wh_mean:.3f} / "
                     f"{charge_wh:.0f} = {c_mean:.2f} (mean model); {wh_worst:.2f} / {charge_wh:.0f}"
                     f" = {c_worst:.2f} (least efficient model)"),
        result={"charges_per_image_mean_model": c_mean,
                "charges_per_image_least_efficient_model": c_worst,
                "charges_per_image_least_efficient_model_preprint_charge": c_worst_pre},
        range_low=min(c_mean, c_mean_pre), range_high=c_worst_pre, range_unit="charges per image",
        verdict=HOLDS_ONLY_IF,
        verdict_detail=(
            f"the least efficient image model measured is compared with the preprint's 12 Wh phone "
            f"({c_worst_pre:.2f} charge); with the 22 Wh EPA charge the worst model is "
            f"{c_worst:.2f} charge, and an average model {c_mean:.2f} charge (about 1/"
            f"{1 / c_mean:.0f}). Measured at the server (one A100, batch size 1, no PUE)."),
    )


def check_h100_vs_household(catalog: HardwareCatalog) -> ClaimCheck:
    """Claim 2: one H100 uses more electricity in a year than a medium-sized household."""
    spec = catalog.get("h100-sxm")
    u = H100_UTILISATION_CHURNOCK
    kwh = float(energy.accelerator_energy_kwh(spec.power_w, u, units.HOURS_PER_YEAR))
    low = float(energy.accelerator_energy_kwh(spec.power_w, 0.3, units.HOURS_PER_YEAR))
    high = float(energy.accelerator_energy_kwh(spec.power_w, 1.0, units.HOURS_PER_YEAR,
                                               pue=PUE_UPTIME_2023))
    us = comparisons.US_HOUSEHOLD_KWH_PER_YEAR
    cn = comparisons.CHINA_HOUSEHOLD_KWH_PER_YEAR
    u_break_cn = cn / (units.w_to_kw(spec.power_w) * units.HOURS_PER_YEAR)
    return ClaimCheck(
        id="h100-vs-household",
        claim="One NVIDIA H100 uses more electricity in a year than a medium-sized household.",
        inputs=[
            ClaimInput("H100 SXM board power", spec.power_w, "W", spec.source),
            ClaimInput("mean utilisation", u, "-",
                       "P. Churnock (Microsoft), via Tom's Hardware [secondary]"),
            ClaimInput("hours per year", units.HOURS_PER_YEAR, "h", "8,760 h"),
            ClaimInput("US household", us, "kWh/yr", "EIA, average residential customer, 2020"),
            ClaimInput("Chinese household", cn, "kWh/yr",
                       "derived: 1.35e12 kWh residential use (NEA 2023) / 494.16 million family "
                       "households (census 2020) [secondary]; years differ"),
            ClaimInput("PUE for the upper end of the range", PUE_UPTIME_2023, "-",
                       "Uptime Institute average 2023 [secondary]"),
        ],
        computation=(f"{spec.power_w:.0f} W x {u} x 8,760 h = {kwh:,.0f} kWh/yr = "
                     f"{kwh / us:.2f} US households = {kwh / cn:.2f} Chinese households"),
        result={"energy_kwh_per_year": kwh, "us_households": kwh / us, "china_households": kwh / cn},
        range_low=low, range_high=high, range_unit="kWh/yr (utilisation 0.3 at PUE 1 to 1.0 at PUE 1.58)",
        verdict=HOLDS_ONLY_IF,
        verdict_detail=(
            f"the household is Chinese ({cn:,.0f} kWh/yr) and the GPU runs above "
            f"{u_break_cn:.0%} utilisation: at 61% it uses {kwh / cn:.2f}x a Chinese household. "
            f"Against a US household ({us:,.0f} kWh/yr) it does not hold even at full load and "
            f"PUE 1.58 ({high:,.0f} kWh/yr)."),
    )


def check_servers_vs_countries(catalog: HardwareCatalog, countries: pd.DataFrame) -> ClaimCheck:
    """Claim 3: from 2027 the AI servers added each year use as much as the Netherlands or Sweden."""
    n = AI_SERVERS_PER_YEAR_2027
    a100, h100, b200 = (catalog.get(s, kind="server") for s in ("dgx-a100", "dgx-h100", "dgx-b200"))
    twh = {s.id: float(energy.fleet_energy_twh_per_year(n, s.power_w, 1.0)) for s in (a100, h100, b200)}
    twh_61 = float(energy.fleet_energy_twh_per_year(n, h100.power_w, H100_UTILISATION_CHURNOCK))
    by_iso = countries.set_index("iso_code")
    nld, swe = by_iso.loc["NLD"], by_iso.loc["SWE"]
    nl_twh, se_twh = float(nld["electricity_generation_twh"]), float(swe["electricity_generation_twh"])
    u_break_nl = nl_twh / twh["dgx-h100"]
    return ClaimCheck(
        id="ai-servers-vs-countries",
        claim=("From 2027, the AI servers added each year will use as much electricity as the "
               "Netherlands or Sweden."),
        inputs=[
            ClaimInput("AI servers shipped per year by 2027", n, "-", "de Vries, Joule 7(10), 2023"),
            ClaimInput("DGX A100 max power", a100.power_w, "W", a100.source),
            ClaimInput("DGX H100 max power", h100.power_w, "W", h100.source),
            ClaimInput("DGX B200 max power (newer generation)", b200.power_w, "W", b200.source),
            ClaimInput("utilisation (de Vries: full use)", 1.0, "-", "de Vries 2023"),
            ClaimInput(f"Netherlands electricity ({int(nld['year'])})", nl_twh, "TWh/yr",
                       "codecarbon global_energy_mix.json (OWID/Ember), generation"),
            ClaimInput(f"Sweden electricity ({int(swe['year'])})", se_twh, "TWh/yr",
                       "codecarbon global_energy_mix.json (OWID/Ember), generation"),
        ],
        computation=(f"1.5 million x 6.5 kW x 8,760 h = {twh['dgx-a100']:.1f} TWh/yr; "
                     f"x 10.2 kW = {twh['dgx-h100']:.1f} TWh/yr; x 14.3 kW = {twh['dgx-b200']:.1f} TWh/yr"),
        result={"energy_twh_per_year_dgx_a100": twh["dgx-a100"],
                "energy_twh_per_year_dgx_h100": twh["dgx-h100"],
                "energy_twh_per_year_dgx_b200": twh["dgx-b200"],
                "energy_twh_per_year_dgx_h100_at_61pct": twh_61,
                "netherlands_twh_per_year": nl_twh, "sweden_twh_per_year": se_twh},
        range_low=twh["dgx-a100"], range_high=twh["dgx-h100"], range_unit="TWh/yr (de Vries range)",
        verdict=HOLDS_ONLY_IF,
        verdict_detail=(
            f"all 1.5 million servers run at full power all year and are H100-class or newer: "
            f"{twh['dgx-h100']:.0f} TWh/yr matches the Netherlands ({nl_twh:.0f} TWh) from "
            f"{u_break_nl:.0%} utilisation up; Sweden ({se_twh:.0f} TWh) is reached only with "
            f"B200-class servers ({twh['dgx-b200']:.0f} TWh). At A100 power ({twh['dgx-a100']:.0f} TWh)"
            f" or 61% utilisation ({twh_61:.0f} TWh) it does not hold. PUE would add 10-60%."),
    )


def check_compute_growth(countries: pd.DataFrame, years: float = 2.0) -> ClaimCheck:
    """Claim 4: AI compute grows x10 every six months; after the chip shortage, a power shortage.

    Longer than 60 lines: most of it is the claim's record (each input with its source, and the
    computation in words).
    """
    by_iso = countries.set_index("iso_code")
    china_twh = float(by_iso.loc["CHN", "electricity_generation_twh"])
    world_twh = float(countries["electricity_generation_twh"].sum())
    growth_fast = CLAIMED_COMPUTE_GROWTH_PER_YEAR / EFFICIENCY_GAIN_PER_YEAR_LOW
    growth_slow = CLAIMED_COMPUTE_GROWTH_PER_YEAR / EFFICIENCY_GAIN_PER_YEAR_HIGH
    t = np.arange(0.0, years + 0.25, 0.5)  # half-year steps: the claim's own period
    cn_low = DATA_CENTRES_CHINA_TWH_2024 * AI_SHARE_OF_DATA_CENTRES_LOW * growth_slow ** t
    cn_high = DATA_CENTRES_CHINA_TWH_2024 * AI_SHARE_OF_DATA_CENTRES_HIGH * growth_fast ** t
    w_low = DATA_CENTRES_WORLD_TWH_2024 * AI_SHARE_OF_DATA_CENTRES_LOW * growth_slow ** t
    w_high = DATA_CENTRES_WORLD_TWH_2024 * AI_SHARE_OF_DATA_CENTRES_HIGH * growth_fast ** t
    rows = [{"year": BASE_YEAR + float(ti),
             "china_ai_twh_low": float(cn_low[i]), "china_ai_twh_high": float(cn_high[i]),
             "china_total_twh": china_twh,
             "world_ai_twh_low": float(w_low[i]), "world_ai_twh_high": float(w_high[i]),
             "world_total_twh": world_twh} for i, ti in enumerate(t)]

    def crossing_year(base_twh, growth, total):
        # continuous compounding between annual steps: base x growth^t = total
        return BASE_YEAR + math.log(total / base_twh) / math.log(growth)

    yr_cn_early = crossing_year(cn_high[0], growth_fast, china_twh)
    yr_cn_late = crossing_year(cn_low[0], growth_slow, china_twh)
    yr_w_early = crossing_year(w_high[0], growth_fast, world_twh)
    yr_w_late = crossing_year(w_low[0], growth_slow, world_twh)
    return ClaimCheck(
        id="compute-x10-per-six-months",
        claim=("AI compute demand grows tenfold every six months; after the chip shortage comes a "
               "power shortage."),
        inputs=[
            ClaimInput("claimed compute growth", CLAIMED_COMPUTE_GROWTH_PER_YEAR, "x per year",
                       "the claim: x10 per six months"),
            ClaimInput("hardware efficiency gain, slow", EFFICIENCY_GAIN_PER_YEAR_LOW, "x per year",
                       "Epoch AI ML hardware trend, about +30%/yr [secondary]; Koomey & Naffziger "
                       "2016 (doubling every 2.6 yr after 2000)"),
            ClaimInput("hardware efficiency gain, fast", EFFICIENCY_GAIN_PER_YEAR_HIGH, "x per year",
                       "Koomey et al. 2011: doubling every 1.57 yr (1946-2009)"),
            ClaimInput("data centres 2024, China", DATA_CENTRES_CHINA_TWH_2024, "TWh/yr",
                       "IEA, Energy and AI, 2025 [secondary]"),
            ClaimInput("data centres 2024, world", DATA_CENTRES_WORLD_TWH_2024, "TWh/yr",
                       "IEA, Energy and AI, 2025 [secondary]"),
            ClaimInput("AI share of data-centre electricity 2024", AI_SHARE_OF_DATA_CENTRES_LOW, "-",
                       "assumption: bracketed 0.10 (low) to 1.0 (upper bound)"),
            ClaimInput("China total electricity", china_twh, "TWh/yr",
                       "codecarbon global_energy_mix.json (OWID/Ember), 2023 generation"),
            ClaimInput("world total electricity", world_twh, "TWh/yr",
                       "sum of 213 countries in the same file (mostly 2022-2023)"),
        ],
        computation=(f"AI electricity(t) = AI electricity({BASE_YEAR}) x (100 / efficiency gain)^t, t in years; "
                     f"electricity grows x{growth_slow:.0f} to x{growth_fast:.0f} per year"),
        result={"electricity_growth_per_year_low": growth_slow,
                "electricity_growth_per_year_high": growth_fast,
                "year_ai_exceeds_china_total_earliest": yr_cn_early,
                "year_ai_exceeds_china_total_latest": yr_cn_late,
                "year_ai_exceeds_world_total_earliest": yr_w_early,
                "year_ai_exceeds_world_total_latest": yr_w_late},
        range_low=growth_slow, range_high=growth_fast, range_unit="x electricity per year",
        verdict=HOLDS_ONLY_IF,
        verdict_detail=(
            f"the x10 pace lasts only a year or so. Hardware gets {EFFICIENCY_GAIN_PER_YEAR_LOW:.2f}-"
            f"{EFFICIENCY_GAIN_PER_YEAR_HIGH:.2f}x more efficient per year, so electricity would "
            f"grow x{growth_slow:.0f}-{growth_fast:.0f} per year: AI alone would need more than "
            f"China's total ({china_twh:,.0f} TWh) by {yr_cn_early:.1f}-{yr_cn_late:.1f} and more than "
            f"the world's ({world_twh:,.0f} TWh) by {yr_w_early:.1f}-{yr_w_late:.1f} (decimal years, "
            f"from the {BASE_YEAR} level). Power does become the "
            f"limit - which is why the x10 pace cannot be sustained."),
        years=rows,
    )


def check_claims(catalog: HardwareCatalog | None = None, luccioni: pd.DataFrame | None = None,
                 countries: pd.DataFrame | None = None) -> list[ClaimCheck]:
    """All claim checks, in the order of the public debate; data default to the bundled tables."""
    from computegrid.datasets import workload as data

    catalog = catalog or data.load_hardware_catalog()
    luccioni = luccioni if luccioni is not None else data.load_luccioni_inference()
    countries = countries if countries is not None else data.load_country_electricity()
    return [
        check_image_vs_phone(luccioni),
        check_h100_vs_household(catalog),
        check_servers_vs_countries(catalog, countries),
        check_compute_growth(countries),
    ]

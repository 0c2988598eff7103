"""Energy of AI workloads: accelerators over a period, training runs, fleets, emissions.

Pure, vectorised functions: every argument may be a scalar, a numpy array or a pandas Series
(broadcast by numpy; a Series keeps its index). Each checks its inputs and raises
:class:`computegrid.errors.InputError` naming the parameter on a bad value.

References
----------
.. [1] D. Patterson et al., "Carbon Emissions and Large Neural Network Training,"
   arXiv:2104.10350, 2021 (formula of Table 4).
.. [2] A. de Vries, "The growing energy footprint of artificial intelligence," Joule 7(10), 2023.
.. [3] J. Kaplan et al., "Scaling Laws for Neural Language Models," arXiv:2001.08361, 2020
   (training compute C = 6 N D).
"""

from __future__ import annotations

from computegrid import units
from computegrid.workload.checks import (
    require_at_least_one,
    require_fraction,
    require_non_negative,
    require_positive,
)

#: FLOPs per parameter per training token for a dense transformer (forward + backward), [3].
FLOPS_PER_PARAMETER_TOKEN = 6.0


def accelerator_energy_kwh(power_w, utilisation_frac, duration_h, pue=1.0, n_accelerators=1):
    """Facility electricity of accelerators running at a mean utilisation over a period.

    Parameters
    ----------
    power_w : float or array-like
        Board power of one accelerator at full load (e.g. its TDP). [W]
    utilisation_frac : float or array-like
        Mean power as a fraction of ``power_w`` over the period, in (0, 1]. [-]
    duration_h : float or array-like
        Length of the period. [h]
    pue : float or array-like, default 1.0
        Power usage effectiveness of the facility (1.0: the chip alone). [-]
    n_accelerators : int or array-like, default 1
        Number of accelerators. [-]

    Returns
    -------
    float or array-like
        Electricity use. [kWh]

    Notes
    -----
    E = n x P x u x t x PUE. With P = 700 W, u = 0.61 and t = 8,760 h this gives the
    3,740 kWh/yr H100 estimate attributed to P. Churnock (Microsoft) [secondary].
    """
    require_positive(power_w, "power_w")
    require_fraction(utilisation_frac, "utilisation_frac")
    require_non_negative(duration_h, "duration_h")
    require_at_least_one(pue, "pue")
    require_positive(n_accelerators, "n_accelerators")
    return units.w_to_kw(n_accelerators * power_w * utilisation_frac) * duration_h * pue


def training_energy_mwh(n_accelerators, avg_power_w, duration_h, pue=1.0):
    """Facility electricity use of a training run from its measured or given duration.

    Parameters
    ----------
    n_accelerators : int or array-like
        Accelerators used by the run. [-]
    avg_power_w : float or array-like
        Mean measured power per accelerator, host share included. [W]
    duration_h : float or array-like
        Wall-clock duration of the run. [h]
    pue : float or array-like, default 1.0
        Power usage effectiveness of the facility. [-]

    Returns
    -------
    float or array-like
        Facility electricity use. [MWh]

    Notes
    -----
    E = n x P x t x PUE, the formula of Patterson et al. [1]_ (Table 4).
    """
    require_positive(n_accelerators, "n_accelerators")
    require_positive(avg_power_w, "avg_power_w")
    require_positive(duration_h, "duration_h")
    require_at_least_one(pue, "pue")
    return units.kwh_to_mwh(units.w_to_kw(n_accelerators * avg_power_w) * duration_h * pue)


def training_flops_from_parameters(n_parameters, n_tokens):
    """Training compute of a dense transformer from its size and training tokens.

    Parameters
    ----------
    n_parameters : float or array-like
        Model parameters. [-]
    n_tokens : float or array-like
        Training tokens. [-]

    Returns
    -------
    float or array-like
        Total training compute. [FLOP]

    Notes
    -----
    C = 6 N D (Kaplan et al. [3]_).
    """
    require_positive(n_parameters, "n_parameters")
    require_positive(n_tokens, "n_tokens")
    return FLOPS_PER_PARAMETER_TOKEN * n_parameters * n_tokens


def training_duration_h(total_flops, n_accelerators, peak_tflops, mfu_frac):
    """Wall-clock duration of a training run from its compute.

    Parameters
    ----------
    total_flops : float or array-like
        Total training compute. [FLOP]
    n_accelerators : int or array-like
        Accelerators used. [-]
    peak_tflops : float or array-like
        Peak dense throughput of one accelerator at the training precision. [TFLOPS]
    mfu_frac : float or array-like
        Model FLOPs utilisation: achieved / peak throughput, in (0, 1]. [-]

    Returns
    -------
    float or array-like
        Duration. [h]

    Notes
    -----
    t = C / (n x peak x MFU). GPT-3 (3.14e23 FLOP on 10,000 V100 at 125 TFLOPS) took
    14.8 days [1]_, which implies MFU = 0.197.
    """
    require_positive(total_flops, "total_flops")
    require_positive(n_accelerators, "n_accelerators")
    require_positive(peak_tflops, "peak_tflops")
    require_fraction(mfu_frac, "mfu_frac")
    seconds = total_flops / (n_accelerators * peak_tflops * units.FLOP_PER_TFLOP * mfu_frac)
    return units.seconds_to_hours(seconds)


def fleet_energy_twh_per_year(n_servers, server_power_w, utilisation_frac, pue=1.0,
                              hours_per_year=units.HOURS_PER_YEAR):
    """Annual electricity use of a fleet of servers.

    Parameters
    ----------
    n_servers : float or array-like
        Servers in the fleet. [-]
    server_power_w : float or array-like
        Maximum system power of one server. [W]
    utilisation_frac : float or array-like
        Mean power as a fraction of maximum, in (0, 1]. [-]
    pue : float or array-like, default 1.0
        Power usage effectiveness (1.0: servers only, as de Vries [2]_). [-]
    hours_per_year : float, default 8,760
        Hours of operation per year. [h]

    Returns
    -------
    float or array-like
        Electricity use. [TWh/yr]

    Notes
    -----
    E = N x P x u x h x PUE. 1.5 million DGX A100 (6.5 kW) or DGX H100 (10.2 kW) at full use
    give 85.4-134.0 TWh/yr (de Vries [2]_).
    """
    require_positive(n_servers, "n_servers")
    require_positive(server_power_w, "server_power_w")
    require_fraction(utilisation_frac, "utilisation_frac")
    require_at_least_one(pue, "pue")
    require_positive(hours_per_year, "hours_per_year")
    energy_kwh = units.w_to_kw(n_servers * server_power_w * utilisation_frac) * hours_per_year * pue
    return units.kwh_to_twh(energy_kwh)


def emissions_tco2(energy_mwh, carbon_intensity_kg_per_kwh):
    """Location-based emissions of an electricity use.

    Parameters
    ----------
    energy_mwh : float or array-like
        Electricity use. [MWh]
    carbon_intensity_kg_per_kwh : float or array-like
        Grid carbon intensity (kgCO2e/kWh, numerically equal to tCO2e/MWh). [kgCO2e/kWh]

    Returns
    -------
    float or array-like
        Emissions. [tCO2e]

    Notes
    -----
    tCO2e = MWh x kgCO2e/kWh (Patterson et al. [1]_).
    """
    require_non_negative(energy_mwh, "energy_mwh")
    require_non_negative(carbon_intensity_kg_per_kwh, "carbon_intensity_kg_per_kwh")
    # kg/kWh x MWh = (kg/kWh) x 1e3 kWh = 1e3 kg = 1 t per (kg/kWh x MWh)
    return units.kg_to_t(units.mwh_to_kwh(energy_mwh) * carbon_intensity_kg_per_kwh)

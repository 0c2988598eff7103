"""Unit conversions: the one place where a factor between two units is written.

Every name carries its unit; a conversion is a pure function or a named constant here.
"""

from __future__ import annotations

HOURS_PER_DAY = 24.0
HOURS_PER_YEAR = 8760.0  # non-leap year; the grid model's year has 8,760 hourly steps
SECONDS_PER_HOUR = 3600.0
DAYS_PER_YEAR = 365.0
PERCENT_PER_FRAC = 100.0

W_PER_KW = 1e3
KW_PER_MW = 1e3
MW_PER_GW = 1e3
KWH_PER_MWH = 1e3
MWH_PER_GWH = 1e3
MWH_PER_TWH = 1e6
KWH_PER_TWH = 1e9
WH_PER_KWH = 1e3
J_PER_KWH = 3.6e6
J_PER_WH = 3.6e3
KG_PER_T = 1e3
T_PER_MT = 1e6
FLOP_PER_TFLOP = 1e12


def w_to_kw(power_w):
    """Convert power. [W] -> [kW]"""
    return power_w / W_PER_KW


def kw_to_mw(power_kw):
    """Convert power. [kW] -> [MW]"""
    return power_kw / KW_PER_MW


def kwh_to_mwh(energy_kwh):
    """Convert energy. [kWh] -> [MWh]"""
    return energy_kwh / KWH_PER_MWH


def mwh_to_kwh(energy_mwh):
    """Convert energy. [MWh] -> [kWh]"""
    return energy_mwh * KWH_PER_MWH


def mwh_to_twh(energy_mwh):
    """Convert energy. [MWh] -> [TWh]"""
    return energy_mwh / MWH_PER_TWH


def twh_to_mwh(energy_twh):
    """Convert energy. [TWh] -> [MWh]"""
    return energy_twh * MWH_PER_TWH


def kwh_to_twh(energy_kwh):
    """Convert energy. [kWh] -> [TWh]"""
    return energy_kwh / KWH_PER_TWH


def joule_to_kwh(energy_j):
    """Convert energy. [J] -> [kWh]"""
    return energy_j / J_PER_KWH


def days_to_hours(duration_days):
    """Convert duration. [d] -> [h]"""
    return duration_days * HOURS_PER_DAY


def hours_to_days(duration_h):
    """Convert duration. [h] -> [d]"""
    return duration_h / HOURS_PER_DAY


def seconds_to_hours(duration_s):
    """Convert duration. [s] -> [h]"""
    return duration_s / SECONDS_PER_HOUR


def kg_to_t(mass_kg):
    """Convert mass. [kg] -> [t]"""
    return mass_kg / KG_PER_T


#: Avoirdupois pound in kg (exact, international yard and pound agreement, 1959).
KG_PER_LB = 0.45359237


def lb_per_mwh_to_kg_per_mwh(intensity_lb_per_mwh):
    """Convert carbon intensity (WattTime's MOER unit). [lb/MWh] -> [kg/MWh]"""
    return intensity_lb_per_mwh * KG_PER_LB


def t_to_mt(mass_t):
    """Convert mass. [t] -> [Mt]"""
    return mass_t / T_PER_MT


def gco2_per_kwh_to_kgco2_per_kwh(intensity_gco2_per_kwh):
    """Convert carbon intensity. [gCO2/kWh] -> [kgCO2/kWh] (equal to [tCO2/MWh])"""
    return intensity_gco2_per_kwh / 1e3


def energy_mwh_from_power_mw(power_mw, interval_h):
    """Energy of a mean power held over an interval. [MW] x [h] -> [MWh]

    The one helper for power -> energy on time series: a power series holds the mean
    power over each interval starting at its label.
    """
    return power_mw * interval_h


G_PER_KG = 1e3


def kg_per_mwh_to_g_per_kwh(intensity_kg_per_mwh):
    """Convert carbon intensity. [kg/MWh] -> [g/kWh] (numerically equal)."""
    return intensity_kg_per_mwh * G_PER_KG / KWH_PER_MWH

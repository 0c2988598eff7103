"""Loaders of the bundled AI-workload data (``datasets/data/workload/``).

Every file carries its sources (a ``source`` column, or ``docs/data-sources.md`` for the country
table). Nothing is read at import time; each file is read and validated on first use and kept
(the HTTP service calls these on every request), and every call returns its own copy.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import pandas as pd

from computegrid.workload.hardware import HardwareCatalog, validate_hardware_table

_PACKAGE = "computegrid.datasets"


def _open(name: str):
    return resources.files(_PACKAGE).joinpath("data", "workload", name).open("r", encoding="utf-8")


@lru_cache(maxsize=None)
def _read(name: str, **read_csv_kwargs) -> pd.DataFrame:
    with _open(name) as fh:
        return pd.read_csv(fh, **read_csv_kwargs)


@lru_cache(maxsize=1)
def _hardware_table() -> pd.DataFrame:
    table = _read("hardware.csv", dtype=str, keep_default_na=False)
    return validate_hardware_table(table.copy(), "hardware.csv (bundled)")


def load_hardware_catalog() -> HardwareCatalog:
    """The bundled hardware catalog (accelerators and servers, every row with its source)."""
    return HardwareCatalog(_hardware_table().copy())


def load_luccioni_inference() -> pd.DataFrame:
    """Energy per 1,000 inferences by task (Luccioni et al., FAccT 2024, Table 2).

    Columns: ``task``, ``energy_kwh_per_1000_items_mean``, ``energy_kwh_per_1000_items_std``
    [kWh per 1,000 items], ``source``.
    """
    return _read("luccioni_2024_inference.csv").copy()


def load_country_electricity() -> pd.DataFrame:
    """Annual electricity generation and carbon intensity of 213 countries.

    Trimmed from codecarbon's ``global_energy_mix.json`` (codecarbon 3.3.2, MIT; underlying data
    Our World in Data / Ember). Columns: ``iso_code``, ``country_name``, ``year`` (2021-2023 for
    most), ``electricity_generation_twh`` [TWh/yr], ``carbon_intensity_gco2_per_kwh`` [gCO2/kWh].
    Generation stands in for use: they differ by net imports and losses.
    """
    return _read("countries_electricity.csv", keep_default_na=False, na_values=("",)).copy()

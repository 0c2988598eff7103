"""Loaders of the bundled AI-workload data (``datasets/data/workload/``).

Every file carries its sources (a ``source`` column, or ``docs/data-sources.md`` for the country
table). Nothing is read at import time; each file is read and validated on first use and kept
(the HTTP service calls these on every request), and every call returns its own copy.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd

from computegrid.errors import InputError
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


#: Requests in each one-week trace (rows of the notebook's data frames, cells 5 and 6 of
#: Azure/AzurePublicDataset analysis/AzureLLMInferenceDataset2024.ipynb, commit b469a11).
LLM_TRACE_REQUESTS_2024 = {"coding": 16_803_695, "conversation": 27_303_999}
#: Assumption: the traces are read in their users' local time taken as US Eastern Daylight Time
#: (UTC-4 in May). The coding trace then peaks at 14:00-16:00 local on weekdays and is lowest at
#: 04:00-06:00, the shape of office work; the users' true locations are not published.
LLM_TRACE_UTC_OFFSET_H = -4
LLM_TRACES = tuple(LLM_TRACE_REQUESTS_2024)


def load_llm_hourly_requests() -> pd.DataFrame:
    """Hourly request rates of the Azure LLM inference traces of May 2024 (one week each).

    Digitised from the published figures (``tools/digitise_azure_llm_profile.py``) of Stojkovic et
    al., "DynamoLLM: Designing LLM Inference Clusters for Performance and Energy Efficiency",
    HPCA 2025 (data CC BY 4.0, Azure/AzurePublicDataset). Columns: ``timestamp_utc`` (hour start,
    UTC), ``trace`` (``coding``, ``conversation``), ``requests_per_min`` [1/min], the mean over the
    hour.
    """
    table = _read("azure_llm_2024_hourly_requests.csv", comment="#").copy()
    table["timestamp_utc"] = pd.to_datetime(table["timestamp_utc"], utc=True)
    return table


def load_llm_hourly_profile(trace: str = "conversation",
                            utc_offset_h: int = LLM_TRACE_UTC_OFFSET_H) -> np.ndarray:
    """Measured relative demand of LLM inference by local hour, mean 1 (24 values). [-]

    The mean over the trace's seven days of each hour's request rate (weekdays and the weekend
    as they come), divided by the mean over all hours, re-labelled from UTC to the users' local
    hour (``utc_offset_h``, an assumption: see :data:`LLM_TRACE_UTC_OFFSET_H`). The request rate
    stands in for the power drawn: assumption, since servers draw idle power too and batch
    requests together, the power swings less than the request rate (a bound, not an estimate).

    Parameters
    ----------
    trace : str, default "conversation"
        ``conversation`` (chat) or ``coding`` (code completion).
    utc_offset_h : int, default -4
        Offset of the users' local time from UTC. [h]

    Returns
    -------
    numpy.ndarray
        24 values, index = local hour 0..23. [-]
    """
    if trace not in LLM_TRACES:
        raise InputError("trace", trace, f"allowed: {', '.join(LLM_TRACES)}")
    table = load_llm_hourly_requests()
    rows = table[table["trace"] == trace]
    local_hour = (rows["timestamp_utc"].dt.hour + utc_offset_h) % 24
    by_hour = rows.groupby(local_hour.to_numpy())["requests_per_min"].mean().reindex(range(24))
    return (by_hour / by_hour.mean()).to_numpy()

"""Loaders of the bundled job traces (``datasets/data/traces/``): Microsoft Philly and Azure LLM
inference, as shipped; :mod:`computegrid.scheduling.traces` turns them into job tables. Origins and
licences in docs/data-sources.md."""

from __future__ import annotations

from importlib import resources

import pandas as pd


def _data_path(name: str):
    return resources.files("computegrid.datasets").joinpath("data", "traces", name)


def load_philly_raw() -> pd.DataFrame:
    """The bundled Philly trace as shipped: timestamp, duration_s [s], num_gpus, cluster."""
    with resources.as_file(_data_path("philly.csv.gz")) as p:
        return pd.read_csv(p, compression="gzip")


def load_azure_llm_raw() -> pd.DataFrame:
    """The bundled Azure LLM trace, aggregated per service and hour.

    Columns: service, timestamp (hour start, UTC), n_requests [-], context_tokens [-],
    generated_tokens [-], observed_s (seconds of that hour inside the trace window) [s].
    """
    with resources.as_file(_data_path("azure_llm_2023_hourly.csv")) as p:
        f = pd.read_csv(p)
    f["timestamp"] = pd.to_datetime(f["timestamp"], utc=True)
    return f

"""Inference energy per item from a measured per-task table.

References
----------
.. [1] A. S. Luccioni, Y. Jernite, E. Strubell, "Power Hungry Processing: Watts Driving the Cost
   of AI Deployment?", FAccT 2024 (arXiv:2311.16863), Table 2: energy per 1,000 inferences on one
   NVIDIA A100-SXM4-80GB, batch size 1, measured with CodeCarbon.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from computegrid import units
from computegrid.errors import InputError
from computegrid.workload.checks import require_positive
from computegrid.workload.hardware import suggest

ITEMS_PER_TABLE_UNIT = 1000.0  # the table gives energy per 1,000 inferences [1]_


@dataclass(frozen=True)
class InferenceTask:
    """One row of the per-task table.

    Attributes
    ----------
    task : str
        Task id (``image-generation``). [-]
    energy_kwh_per_1000_items_mean, energy_kwh_per_1000_items_std : float
        Mean and standard deviation over the models measured (std NaN for a single model). [kWh]
    source : str
        Citation.
    """

    task: str
    energy_kwh_per_1000_items_mean: float
    energy_kwh_per_1000_items_std: float
    source: str


def inference_task(table: pd.DataFrame, task: str, field: str = "--task") -> InferenceTask:
    """Look up ``task`` in a per-task table; an unknown task suggests the closest ones."""
    tasks = list(table["task"])
    if task not in tasks:
        close = suggest(str(task), tasks)
        hint = f"did you mean {', '.join(close)}? " if close else ""
        raise InputError(field, task, f"{hint}known tasks: {', '.join(tasks)}")
    row = table.set_index("task").loc[task]
    return InferenceTask(task, float(row["energy_kwh_per_1000_items_mean"]),
                         float(row["energy_kwh_per_1000_items_std"]), str(row["source"]))


def inference_energy_kwh(energy_kwh_per_1000_items, n_items):
    """Electricity use of ``n_items`` inferences.

    Parameters
    ----------
    energy_kwh_per_1000_items : float or array-like
        Energy per 1,000 inferences, e.g. from Luccioni et al. [1]_. [kWh]
    n_items : float or array-like
        Requests, images or other items. [-]

    Returns
    -------
    float or array-like
        Electricity use. [kWh]
    """
    require_positive(energy_kwh_per_1000_items, "energy_kwh_per_1000_items")
    require_positive(n_items, "n_items")
    return energy_kwh_per_1000_items * n_items / ITEMS_PER_TABLE_UNIT


def energy_wh_per_item(energy_kwh_per_1000_items):
    """Energy of one inference. [kWh per 1,000 items] -> [Wh per item]"""
    require_positive(energy_kwh_per_1000_items, "energy_kwh_per_1000_items")
    return energy_kwh_per_1000_items * units.WH_PER_KWH / ITEMS_PER_TABLE_UNIT

"""Reader of CodeCarbon's ``emissions.csv`` output.

CodeCarbon (mlco2/codecarbon) writes one row per tracked run with, among others, ``duration``
[s], ``emissions`` [kgCO2eq], ``energy_consumed`` [kWh], ``cpu_energy``/``gpu_energy``/
``ram_energy`` [kWh], ``cpu_power``/``gpu_power``/``ram_power`` [W], ``country_iso_code`` and
``timestamp``. This reader renames them to unit-suffixed names.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from computegrid.errors import DataFileError

#: CodeCarbon column -> computegrid column (unit in the name).
COLUMN_MAP = {
    "timestamp": "timestamp",
    "project_name": "project_name",
    "run_id": "run_id",
    "duration": "duration_s",
    "emissions": "emissions_kgco2",
    "energy_consumed": "energy_kwh",
    "cpu_energy": "cpu_energy_kwh",
    "gpu_energy": "gpu_energy_kwh",
    "ram_energy": "ram_energy_kwh",
    "cpu_power": "cpu_power_w",
    "gpu_power": "gpu_power_w",
    "ram_power": "ram_power_w",
    "country_iso_code": "country_iso_code",
    "region": "region",
}
REQUIRED = ("duration", "emissions", "energy_consumed")
_NUMERIC = ("duration", "emissions", "energy_consumed", "cpu_energy", "gpu_energy", "ram_energy",
            "cpu_power", "gpu_power", "ram_power")


def read_codecarbon_emissions(path: str | Path) -> pd.DataFrame:
    """Read and validate a CodeCarbon ``emissions.csv``.

    Parameters
    ----------
    path : str or pathlib.Path
        The CSV written by CodeCarbon's ``EmissionsTracker``.

    Returns
    -------
    pandas.DataFrame
        One row per run; columns renamed per :data:`COLUMN_MAP` (those present).

    Raises
    ------
    DataFileError
        Missing file, missing required column, or a non-numeric / negative / NaN value.
    """
    path = Path(path)
    if not path.is_file():
        raise DataFileError("--from-codecarbon", str(path), "an existing CodeCarbon emissions.csv")
    try:
        raw = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, OSError) as exc:
        raise DataFileError(f"--from-codecarbon {path.name}", type(exc).__name__,
                            "a CSV written by CodeCarbon") from None
    missing = [c for c in REQUIRED if c not in raw.columns]
    if missing:
        raise DataFileError(f"{path.name}: column {missing[0]}", "missing",
                            f"CodeCarbon columns {', '.join(REQUIRED)}")
    if raw.empty:
        raise DataFileError(f"{path.name}", "no rows", "at least one CodeCarbon run")
    for col in _NUMERIC:
        if col not in raw.columns:
            continue
        values = pd.to_numeric(raw[col], errors="coerce")
        bad = values.isna() | (values < 0) | ~np.isfinite(values.fillna(0))
        if bad.any():
            i = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataFileError(f"{path.name}: row {i + 1}, column {col}", raw[col].iloc[i],
                                "a finite number >= 0")
        raw[col] = values
    keep = [c for c in COLUMN_MAP if c in raw.columns]
    return raw[keep].rename(columns=COLUMN_MAP)

"""Reader of a user's base-year fleet file (``--fleet``): rows that replace the bundled capacities."""

from __future__ import annotations

import numpy as np
import pandas as pd

from computegrid.datasets import grid_base_year as gby
from computegrid.datasets.grid import load_provinces
from computegrid.errors import DataFileError
from computegrid.io.user_csv import read_user_csv


def read_user_fleet(path, year: int) -> pd.DataFrame:
    """A base-year fleet with the rows of a user CSV file put in place of the bundled values.

    The file has columns ``province`` (code), ``carrier`` (a key of :data:`computegrid.datasets.grid_base_year.FLEET_CARRIERS`) and
    ``capacity_mw`` (>= 0) [MW]; each row replaces one province's capacity of one carrier.

    Raises
    ------
    InputError
        One line naming the file, the row (1 = first data row), the column and the value.
    """
    user = read_user_csv(path, "--fleet", "an existing CSV file with columns province, carrier, capacity_mw")
    missing = [c for c in ("province", "carrier", "capacity_mw") if c not in user.columns]
    if missing:
        raise DataFileError(f"{path}: columns", ",".join(map(str, user.columns)),
                            "columns province, carrier, capacity_mw")
    fleet = gby.load_fleet_mw(year)
    known = load_provinces().index
    for i, row in user.reset_index(drop=True).iterrows():
        where = f"{path}: row {i + 1}"
        if row["province"] not in known:
            raise DataFileError(f"{where}, column province", row["province"],
                                "a province code: " + ", ".join(known))
        if row["carrier"] not in gby.FLEET_CARRIERS:
            raise DataFileError(f"{where}, column carrier", row["carrier"], "one of " + ", ".join(gby.FLEET_CARRIERS))
        value = pd.to_numeric(pd.Series([row["capacity_mw"]]), errors="coerce").iloc[0]
        if not np.isfinite(value) or value < 0:
            raise DataFileError(f"{where}, column capacity_mw", row["capacity_mw"], "a number >= 0 [MW]")
        fleet.loc[row["province"], gby.FLEET_CARRIERS[row["carrier"]]] = float(value)
    return fleet

"""China's seven regional grids and the provinces in each (bundled ``regional_grids.csv``).

North, Northeast, East, Central, Northwest and Southwest are the regional branches of the State Grid
Corporation of China; South is China Southern Power Grid. Inner Mongolia, one bus in the model but
split between the North China (west) and Northeast (east) grids in reality, is put in North; the file's
``source`` column says so.
"""

from __future__ import annotations

from importlib import resources

import pandas as pd

from computegrid.errors import DataFileError

#: The regional grids in report order.
REGIONAL_GRIDS = ("North", "Northeast", "East", "Central", "Northwest", "Southwest", "South")
_FILE = "regional_grids.csv"


def load_regional_grids() -> pd.Series:
    """Regional grid of each of the 31 provinces.

    Returns
    -------
    pandas.Series
        Index ``province`` (two-letter code), values in :data:`REGIONAL_GRIDS`.
    """
    path = resources.files("computegrid.datasets").joinpath("data/grid", _FILE)
    with resources.as_file(path) as p:
        df = pd.read_csv(p, index_col="province")
    if len(df) != 31 or df.index.duplicated().any():
        raise DataFileError(f"{_FILE}: rows", len(df), "31 distinct provinces")
    bad = ~df["regional_grid"].isin(REGIONAL_GRIDS)
    if bad.any():
        raise DataFileError(f"{_FILE}: column regional_grid, row {df.index[bad][0]}",
                            df.loc[bad, "regional_grid"].iloc[0], "one of " + ", ".join(REGIONAL_GRIDS))
    return df["regional_grid"].rename("regional_grid")

"""Reader of a user's hardware file (``--hardware-file``): CSV or YAML, validated like the catalog.

CSV: the columns of ``computegrid.workload.hardware.HARDWARE_COLUMNS`` (``id``, ``kind``,
``power_w`` and ``source`` required). YAML: a list of mappings with the same keys, or a mapping
``{hardware: [...]}``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from computegrid.errors import DataFileError
from computegrid.workload.hardware import validate_hardware_table


def read_hardware_file(path: str | Path) -> pd.DataFrame:
    """Read and validate a hardware file.

    Parameters
    ----------
    path : str or pathlib.Path
        A ``.csv`` or ``.yaml``/``.yml`` file.

    Returns
    -------
    pandas.DataFrame
        Validated rows, indexed by id.

    Raises
    ------
    DataFileError
        The file is missing, unreadable or malformed (naming file, column, row and value).
    """
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise DataFileError("--hardware-file", str(path), "an existing CSV or YAML file")
    suffix = path.suffix.lower()
    try:
        if suffix in (".yaml", ".yml"):
            with path.open(encoding="utf-8") as fh:
                data = yaml.safe_load(fh)
            if isinstance(data, dict) and "hardware" in data:
                data = data["hardware"]
            if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
                raise DataFileError(f"--hardware-file {name}", type(data).__name__,
                                    "a YAML list of mappings (or {hardware: [...]})")
            table = pd.DataFrame(data).astype(object).where(lambda d: d.notna(), "")
            table = table.map(lambda v: v if isinstance(v, str) else str(v))
        elif suffix == ".csv":
            table = pd.read_csv(path, dtype=str, keep_default_na=False)
        else:
            raise DataFileError("--hardware-file", str(path), "a .csv, .yaml or .yml file")
    except DataFileError:
        raise
    except (yaml.YAMLError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError,
            OSError) as exc:
        raise DataFileError(f"--hardware-file {name}", type(exc).__name__,
                            f"a readable CSV or YAML file ({str(exc).splitlines()[0][:120]})") from None
    if table.empty:
        raise DataFileError(f"--hardware-file {name}", "no rows", "at least one hardware row")
    return validate_hardware_table(table, name)
